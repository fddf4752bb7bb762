"""Branch risk16b: what a night nurse would get as a safety alert from ordinary life, warning signs
alone, and apostrophes typed as spaces. No database.

monitoring/data/risk_language_ordinary.jsonl is a probe of ordinary patient sentences (everyday
life, work, family, medication, sport, cooking, injuries, TV and books, figures of speech, giving
things away, paperwork, games), committed (0604d10) before the rules were changed: 14 of its 140
sentences were flagged then, none after. The rules were written on its false alarms, so that figure
is in-sample (docs/risk-language.md, "Ordinary sentences")."""

from collections import Counter

import pytest

from monitoring import risk_language as rl
from monitoring.risk_language_evaluation import SETS, eval_rows, evaluate

# Flagged sentences of the probe: 14 of 140 before (main at f713d13), after branch risk16b:
ORDINARY_FLAGGED = 0
# The second probe (60 sentences written after the rules, run once): 1 on main and on risk16b,
# "j'ai frappé mon record de pompes" (a threat verb before a person class).
ORDINARY2_FLAGGED = 1


def test_the_ordinary_probe_is_written_as_its_docs_say():
    rows = eval_rows(SETS["ordinary"])
    assert len(rows) == 140 and len({r["id"] for r in rows}) == len(rows)
    assert Counter(r["lang"] for r in rows) == {"fr": 71, "en": 69}
    assert not any(r["risk"] or r["kind"] for r in rows)
    assert Counter(r["category"] for r in rows)["neutral"] >= 100


@pytest.mark.parametrize(("name", "documented"), [("ordinary", ORDINARY_FLAGGED), ("ordinary2", ORDINARY2_FLAGGED)])
def test_the_ordinary_probes_raise_no_more_false_alarms_than_documented(name, documented):
    rows = eval_rows(SETS[name])
    assert rows and not any(r["risk"] for r in rows)
    flagged = [o.row["text"] for o in evaluate(rows).false_alarms()]
    assert len(flagged) <= documented, flagged


@pytest.mark.parametrize(
    "text",
    [
        # New wordings of the probe's classes (none of them is a sentence of a data set).
        "i hurt my mum's feelings at dinner",
        "shoot me a message when you get home",
        "gonna hit my sister up later",
        "je me gratte jusqu'au sang à cause des piqûres de moustique",
        "i gave my old toys to my nephew",
        "made my will at the solicitor this morning",
        "j'ai fait mes adieux à mes collègues, je change de poste",
        "i banged my head on the shelf",
        "j'ai acheté une corde à linge",
        "cette journée était à crever d'ennui",
        "back then i wanted to die, not anymore",
        "i cut myself by accident",
        "the tv show is about a boy who wants to kill himself",
    ],
)
def test_ordinary_life_raises_nothing(text):
    assert rl.detect(text) == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # ... and what the same rules must still find.
        ("i don't want to live anymore, not anymore", rl.IDEATION),  # a present verb: not the past
        ("i cut myself on purpose, ouch", rl.SELF_HARM),
        ("jai envie de me scarifier ca me demange", rl.SELF_HARM),  # an urge, not an itch
        ("je me scarifie, j'ai des boutons partout", rl.SELF_HARM),  # self-harm whatever the skin
        ("i want to hurt my sister, she hurt my feelings", rl.DANGER_OTHERS),
    ],
)
def test_the_ordinary_rules_keep_the_risk(text, kind):
    assert kind in rl.kinds_of(rl.detect(text))


@pytest.mark.parametrize(
    "text",
    [
        "j'ai donné toutes mes affaires à ma sœur",
        "i've put my affairs in order",
        "j'ai fait mon testament",
        "made a will yesterday",
        "won't need my car after friday",
    ],
)
def test_a_warning_sign_alone_is_a_plan_but_not_critical(text):
    matches = rl.detect(text)
    assert rl.kinds_of(matches) == [rl.PLAN]
    assert rl.severity_of(matches) == "high"


@pytest.mark.parametrize(
    "text",
    [
        "j'ai donné toutes mes affaires à ma sœur, je veux mourir",  # with ideation
        "made a will yesterday and i'm going to kill myself",  # with intent
        "j'ai fait mon testament et j'ai acheté une corde",  # with the means
    ],
)
def test_a_warning_sign_beside_ideation_or_a_plan_is_critical(text):
    matches = rl.detect(text)
    assert rl.PLAN in rl.kinds_of(matches)
    assert rl.severity_of(matches) == "critical"
    assert all(m.severity == "critical" for m in matches if m.kind == rl.PLAN)


@pytest.mark.parametrize(
    ("text", "kind", "expression"),
    [
        ("g envie de me foutre en l air", rl.IDEATION, "envie de me foutre en l air"),
        ("ma lettre d adieu est sur la table", rl.PLAN, "lettre d adieu"),
        ("i m so done, i don t want to live", rl.IDEATION, "don t want to live"),
        ("je serai plus un poids pour longtemps", rl.IDEATION, "serai plus un poids pour longtemps"),
        ("i won't be a bother to anyone for much longer", rl.IDEATION, "won't be a bother to anyone for much longer"),
    ],
)
def test_apostrophes_typed_as_spaces_and_a_burden_not_for_long(text, kind, expression):
    (match,) = rl.detect(text)
    assert match.kind == kind
    # the patient's own characters are quoted, at their offsets
    assert match.expression == expression == text[match.start : match.end]
    assert match.sentence == text[match.sentence_start : match.sentence_end]


def test_rejoining_apostrophes_keeps_the_length_and_leaves_numbers_alone():
    for text in ("j en peux plus", "en l air", "i m done, i don t care", "le pont fait 5 m au-dessus"):
        for language in ("fr", "en"):
            assert len(rl._rejoin(text, language)) == len(text)
    assert rl._rejoin("j en peux plus d attendre", "fr") == "j'en peux plus d'attendre"
    assert rl._rejoin("le pont fait 5 m au-dessus", "fr") == "le pont fait 5 m au-dessus"
    assert rl._rejoin("i m done, i don t care", "en") == "i'm done, i don't care"
