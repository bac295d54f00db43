"""Table tests of the pure verified-reuse core (cache/decision.py)."""

from __future__ import annotations

import pytest

from conveyor.cache.decision import (
    Outcome,
    PullEvidence,
    Reuse,
    ask_in_order,
    contexts_to_ask,
    fallback_contexts,
    judge,
    pull_evidence,
    reuse_without_asking,
)
from conveyor.cache.fingerprint import ANONYMOUS
from conveyor.images.access import AccessVerdict

A, D, U = AccessVerdict.ALLOWED, AccessVerdict.DENIED, AccessVerdict.UNREACHABLE


@pytest.mark.parametrize(
    ("known_readers", "pipeline", "expected"),
    [
        # pulled anonymously: public, whoever asks
        ({ANONYMOUS}, [ANONYMOUS], Reuse.PUBLIC),
        ({ANONYMOUS, "fp-a"}, [ANONYMOUS, "fp-b"], Reuse.PUBLIC),
        # pulled with a credential this pipeline holds too (any of its candidates)
        ({"fp-a"}, [ANONYMOUS, "fp-a"], Reuse.SHARED_CREDENTIAL),
        ({"fp-a"}, [ANONYMOUS, "fp-x", "fp-a"], Reuse.SHARED_CREDENTIAL),
        ({"fp-a", "fp-b"}, [ANONYMOUS, "fp-b"], Reuse.SHARED_CREDENTIAL),
        # pulled with someone else's credential
        ({"fp-a"}, [ANONYMOUS, "fp-b"], Reuse.ASK_REGISTRY),
        ({"fp-a"}, [ANONYMOUS], Reuse.ASK_REGISTRY),
        ({"fp-a"}, [], Reuse.ASK_REGISTRY),
        # never pulled by Conveyor (unknown provenance)
        (set(), [ANONYMOUS, "fp-a"], Reuse.ASK_REGISTRY),
        (set(), [ANONYMOUS], Reuse.ASK_REGISTRY),
    ],
)
def test_reuse_without_asking(
    known_readers: set[str], pipeline: list[str], expected: Reuse
) -> None:
    assert reuse_without_asking(known_readers, pipeline) is expected


def test_contexts_to_ask_ends_with_anonymous() -> None:
    assert contexts_to_ask([]) == [None]
    assert contexts_to_ask(["c1", "c2"]) == ["c1", "c2", None]


@pytest.mark.parametrize(
    ("answers", "expected_context", "expected_verdicts"),
    [
        ({"c1": A, "c2": A, None: A}, "c1", (A,)),
        ({"c1": D, "c2": A, None: D}, "c2", (D, A)),
        ({"c1": D, "c2": D, None: A}, None, (D, D, A)),  # public image, wrong logins
        ({"c1": D, "c2": D, None: D}, None, (D, D, D)),
        ({"c1": U, "c2": A, None: A}, None, (U,)),  # unreachable stops: no more timeouts
        ({"c1": D, "c2": U, None: A}, None, (D, U)),
    ],
)
def test_ask_in_order(
    answers: dict[str | None, AccessVerdict],
    expected_context: str | None,
    expected_verdicts: tuple[AccessVerdict, ...],
) -> None:
    asked: list[str | None] = []

    def ask(context: str | None) -> AccessVerdict:
        asked.append(context)
        return answers[context]

    context, verdicts = ask_in_order(contexts_to_ask(["c1", "c2"]), ask)
    assert context == expected_context
    assert verdicts == expected_verdicts
    assert len(asked) == len(expected_verdicts)


@pytest.mark.parametrize(
    ("verdicts", "verified_before", "expected"),
    [
        ((A,), False, Outcome.RUN_VERIFIED),
        ((D, A), False, Outcome.RUN_VERIFIED),
        ((D, D, A), True, Outcome.RUN_VERIFIED),
        ((D,), False, Outcome.DENY),
        ((D, D, D), True, Outcome.DENY),  # a refusal wins over an old verification
        ((U,), True, Outcome.RUN_PREVIOUSLY_VERIFIED),
        ((D, U), True, Outcome.RUN_PREVIOUSLY_VERIFIED),
        ((U,), False, Outcome.FAIL_UNREACHABLE),
        ((D, U), False, Outcome.FAIL_UNREACHABLE),
        ((), False, Outcome.FAIL_UNREACHABLE),  # nothing asked: never run blind
    ],
)
def test_judge(
    verdicts: tuple[AccessVerdict, ...], verified_before: bool, expected: Outcome
) -> None:
    assert judge(verdicts, verified_before=verified_before) is expected


OLD, NEW = "sha256:" + "1" * 64, "sha256:" + "2" * 64
F, UN = PullEvidence.FETCHED, PullEvidence.UNPROVEN


@pytest.mark.parametrize(
    ("by_digest", "id_before", "id_after", "expected"),
    [
        (False, None, NEW, F),  # a tag the engine did not hold: the registry resolved it
        (False, OLD, NEW, F),  # the tag moved: the new image came from the registry
        (False, NEW, NEW, UN),  # unchanged: the engine may not have asked anyone
        (False, NEW, "", UN),  # vanished after the pull: nothing shows what was fetched
        (True, None, NEW, UN),  # a digest may be answered from the engine's store
        (True, OLD, NEW, UN),
    ],
)
def test_pull_evidence(
    by_digest: bool, id_before: str | None, id_after: str, expected: str
) -> None:
    assert pull_evidence(by_digest=by_digest, id_before=id_before, id_after=id_after) is expected


def test_fallback_contexts_never_count_anonymous() -> None:
    assert fallback_contexts([ANONYMOUS, "fp-a", "fp-b"]) == ["fp-a", "fp-b"]
    assert fallback_contexts([ANONYMOUS]) == []
