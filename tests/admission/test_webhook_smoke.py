from tests.admission.deciders import TableDecider
from tests.admission.reviews import APP, encode, pod_spec, review, workload
from verifier.admission.decider import Outcome


def test_smoke(webhook_factory):
    hook = webhook_factory(TableDecider({APP: Outcome.ALLOWED}))
    answer = hook.post(encode(review(workload("Pod", pod_spec([APP])))))
    print(answer)
    assert answer.status == 200
    assert answer.response["allowed"] is True
