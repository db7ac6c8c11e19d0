"""The release pipeline: rebuild, SBOM, sign, gate on policy, publish, tag last."""
