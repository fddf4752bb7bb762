"""The risk-language detector (monitoring.risk_language) on its evaluation set and on the
examples of the issue: negation, hypothesis, someone else, reported speech, the past, idioms;
kinds, severities and offsets. No database."""

from collections import Counter

import pytest

from monitoring import risk_language as rl
from monitoring.risk_language_evaluation import HARD_NEGATIVES, SETS, eval_rows, evaluate, headline


@pytest.fixture(scope="module")
def report():
    return evaluate(eval_rows())


def test_the_evaluation_set_is_large_labelled_and_balanced():
    rows = eval_rows()
    assert len(rows) >= 300
    assert len({r["id"] for r in rows}) == len(rows)
    by_language = Counter(r["lang"] for r in rows)
    assert by_language["fr"] >= 150 and by_language["en"] >= 150
    kinds = Counter(r["kind"] for r in rows if r["risk"])
    assert set(kinds) == set(rl.KINDS) and min(kinds.values()) >= 20
    assert all((r["kind"] is None) == (not r["risk"]) for r in rows)
    hard = Counter(r["category"] for r in rows if not r["risk"] and r["category"] in HARD_NEGATIVES)
    assert set(hard) == set(HARD_NEGATIVES)
    # As many sentences that are not risk as sentences that are, most of them hard.
    assert sum(not r["risk"] for r in rows) >= 0.45 * len(rows)
    assert sum(hard.values()) >= 0.3 * len(rows)


def test_recall_on_explicit_ideation_and_plan_is_at_least_95_percent(report):
    counts = headline(report)["explicit ideation/plan"]
    assert counts.tp + counts.fn >= 80
    assert counts.recall is not None and counts.recall >= 0.95, [o.row["text"] for o in report.misses()]


def test_precision_on_hard_negatives_is_at_least_90_percent(report):
    mixed = headline(report)["positives + hard negatives"]
    hard = headline(report)["hard negatives"]
    assert mixed.precision is not None and mixed.precision >= 0.9
    # And nine hard negatives in ten at least are left alone.
    assert hard.specificity is not None and hard.specificity >= 0.9, [o.row["text"] for o in report.false_alarms()]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_language_finds_most_risk_and_flags_few_negatives(report, language):
    counts = report.by_kind[(language, "any")]
    assert counts.recall is not None and counts.recall >= 0.9
    assert counts.precision is not None and counts.precision >= 0.9


def test_the_held_out_sets_are_there_to_be_reported():
    # Their figures are in docs/risk-language.md; they are not thresholds (see what it misses).
    for name in ("holdout", "holdout2", "holdout3"):
        rows = eval_rows(SETS[name])
        assert rows and {r["lang"] for r in rows} == {"fr", "en"}


@pytest.mark.parametrize(
    "text",
    [
        "je ne pense pas à me faire du mal",
        "Je n'ai pas d'idées suicidaires.",
        "ma sœur a fait une tentative",
        "mon copain m'a dit qu'il voulait mourir",
        "si j'avais des idées noires j'appellerais le 3114",
        "il y a dix ans j'ai fait une tentative de suicide",
        "mort de rire",
        "je meurs de faim",
        "this homework is killing me",
        "I'm not thinking of hurting myself",
        "my brother killed himself when i was 15",
        "ten years ago i tried to kill myself",
        "",
        "   ",
    ],
)
def test_what_is_not_present_risk_raises_nothing(text):
    assert rl.detect(text) == []


@pytest.mark.parametrize(
    "text, kind, severity",
    [
        ("je n'en peux plus, je veux en finir", rl.IDEATION, "high"),
        ("Je vais me suicider ce soir.", rl.PLAN, "critical"),
        ("j'ai acheté une corde", rl.PLAN, "critical"),
        ("je me suis encore scarifiée hier soir", rl.SELF_HARM, "high"),
        ("Je n'ai plus aucun espoir.", rl.HOPELESSNESS, "medium"),
        ("je vais le tuer", rl.DANGER_OTHERS, "critical"),
        ("i want to die", rl.IDEATION, "high"),
        ("I'm going to kill myself tonight", rl.PLAN, "critical"),
        ("i want to hurt myself", rl.SELF_HARM, "high"),
        ("I feel completely hopeless", rl.HOPELESSNESS, "medium"),
        ("jveux crever sérieux", rl.IDEATION, "high"),
    ],
)
def test_kind_and_severity(text, kind, severity):
    matches = rl.detect(text)
    assert [m.kind for m in matches] == [kind]
    assert rl.severity_of(matches) == severity


def test_matches_carry_the_sentence_and_its_offsets_in_the_note():
    note = "Bonne journée au parc avec ma fille.\nMais le soir j'ai encore pensé à me tuer. Demain rdv."
    (match,) = rl.detect(note)
    assert note[match.start : match.end] == match.expression
    assert note[match.sentence_start : match.sentence_end] == match.sentence
    assert match.sentence.startswith("Mais le soir") and "me tuer" in match.expression
    assert match.as_dict()["language"] == "fr"


def test_one_note_may_hold_several_kinds_and_the_gravest_sets_the_severity():
    matches = rl.detect("Je n'ai plus aucun espoir. J'ai écrit ma lettre d'adieu.")
    assert rl.kinds_of(matches) == [rl.PLAN, rl.HOPELESSNESS]
    assert rl.severity_of(matches) == "critical"


def test_excluded_expressions_say_why():
    by_text = {
        "je ne veux pas mourir": "negation",
        "ma soeur pense au suicide, j'ai peur pour elle": "family",
        "in case I want to hurt myself, I have my crisis plan": "hypothesis",
        "history of suicide attempt in 2015": "history",
    }
    for text, qualifier in by_text.items():
        (candidate,) = rl.analyse(text)
        assert qualifier in candidate.excluded_by, (text, candidate)


def test_the_language_of_a_note_is_read_from_its_words():
    assert rl.languages_of("je veux plus rien, c'est trop dur") == ("fr",)
    assert rl.languages_of("i just want it to stop") == ("en",)
    assert rl.languages_of("kms") == ("fr", "en")


def test_a_two_thousand_character_note_is_read():
    note = ("Je me sens un peu mieux aujourd'hui, j'ai marché une heure. " * 40)[:1980] + " je veux mourir"
    assert len(note) <= 2000
    assert [m.kind for m in rl.detect(note)] == [rl.IDEATION]


def test_the_shortcut_before_spacy_never_skips_a_note_the_matcher_would_read():
    # could_match() reads the note without spaCy; wherever the pipeline's own normalised text
    # holds a risk pattern, it must say so (else a note would be skipped unread).
    from edsnlp.utils.doc_to_text import get_text

    texts = [r["text"] for name in SETS for r in eval_rows(SETS[name])]
    texts += ["Idées noires… jveux crever", "Je n’ai plus aucun espoir", "ma sœur", "J'AI ENVIE DE MOURIR", "ﬁn"]
    for language in ("fr", "en"):
        nlp = rl.pipelines()[language]
        expression, attr = rl._ANY[language]
        for text in texts:
            doc = nlp.make_doc(text)
            for name, pipe in nlp.pipeline:
                if name == "matcher":
                    break
                doc = pipe(doc)
            if expression.search(get_text(doc, attr, False)):
                assert rl.could_match(text, language), (language, text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # Families, conjugations and SMS spellings (the widened lexicon), none from a data set.
        ("jvais me pendre cte nuit", rl.PLAN),
        ("g plus la force", rl.HOPELESSNESS),
        ("chui un boulet pour eux", rl.HOPELESSNESS),
        ("jai plus envie de vivre", rl.IDEATION),
        ("plus aucune raison de me lever le matin", rl.HOPELESSNESS),
        ("i wanna unalive myself", rl.IDEATION),
        ("i dont want to wake up", rl.IDEATION),
        ("gonna od tonight", rl.PLAN),
        ("i will never be happy again", rl.HOPELESSNESS),
        ("im gonna hurt my ex", rl.DANGER_OTHERS),
    ],
)
def test_the_widened_families_are_found(text, kind):
    assert kind in rl.kinds_of(rl.detect(text))


@pytest.mark.parametrize(
    "text",
    [
        "je ne veux pas mourir",
        "jpense pas a me tuer",
        "ma soeur veut mettre fin a ses jours",
        "il y a 3 ans je voulais en finir",
        "i dont want to kill myself",
        "my brother said he wants to end it all",
        "i used to cut my arms",
        "ce trajet me tue",
        "je me suis coupee en cuisinant",
        "sans idée suicidaire",
    ],
)
def test_the_widened_families_keep_their_qualifiers(text):
    assert rl.detect(text) == []


def test_the_literal_precheck_is_a_necessary_condition_of_every_pattern():
    # Each pattern's literal sets, read from its parse: a text the pattern matches holds one
    # string of every set. Checked on the pattern's own matches in every sentence of every set.
    import re

    texts = [r["text"] for name in SETS for r in eval_rows(SETS[name])]
    for language, patterns in (("fr", rl.FR_PATTERNS), ("en", rl.EN_PATTERNS)):
        for kind, group in patterns.items():
            for pattern in group:
                compiled = re.compile(pattern)
                for text in texts:
                    plain = rl._plain_text(text, language)
                    found = plain and compiled.search(plain)
                    if found and kind != "idiom":
                        assert rl._may_hold_a_pattern(found.group(0), language), (pattern, text)


# --- respelling and the generalised classes (branch risk16) ---------------------------------------


@pytest.mark.parametrize(
    ("word", "language", "respelled"),
    [
        ("chui", "fr", "je suis"),
        ("g", "fr", "j'ai"),
        ("jveu", "fr", "je veux"),
        ("suicde", "fr", "suicide"),
        ("scarifiee", "fr", None),  # already a listed word
        ("courir", "fr", None),  # one letter from "mourir", never respelled as it
        ("suicidde", "en", "suicide"),
        ("myslef", "en", "myself"),
        ("overdone", "en", None),  # one letter from "overdose", not in the fuzzy list
        ("hopeles", "en", "hopeless"),
        ("kms", "en", "kill myself"),
        ("thought", "en", None),
    ],
)
def test_sms_forms_and_near_misses_of_risk_words_are_respelled(word, language, respelled):
    assert rl._respell(word, language) == respelled


def test_the_matcher_reads_the_respelled_text_the_precheck_reads():
    # The `respell` pipe (tokens) and `_respell_text` (the pre-check's plain text) must agree, or a
    # note would be skipped unread or read differently.
    from edsnlp.utils.doc_to_text import get_text

    texts = [r["text"] for name in SETS for r in eval_rows(SETS[name])]
    texts += ["chui a bout jveu plus vivre g tt essaye", "kms rn, im done", "i hate myslef, suicde"]
    for language in ("fr", "en"):
        nlp = rl.pipelines()[language]
        for text in texts:
            plain = rl._plain_text(text, language)
            if plain is None or "œ" in text:  # eds.normalizer keeps "œ", the pre-check writes "oe"
                continue
            doc = nlp.make_doc(text)
            for name, pipe in nlp.pipeline:
                if name == "matcher":
                    break
                doc = pipe(doc)
            assert get_text(doc, "NORM", False) == plain, (language, text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # None of these is a sentence of a data set: one of each class, in words of its own.
        ("chui tellement fatiguee, jveu plus vivre", rl.IDEATION),  # SMS respelled
        ("i hate myslef and i want to kil myself", rl.IDEATION),  # typos respelled
        ("et si je me jetais... non, et si je me pendais ce soir", rl.PLAN),  # a question to oneself
        ("si j'avais le cran je me tuerais", rl.IDEATION),  # the courage to act is no hypothesis
        ("je reve de ne plus me reveiller", rl.IDEATION),
        ("ce serait plus simple pour mes parents si je n'etais plus la", rl.IDEATION),
        ("j'ai donne tous mes bijoux a ma cousine", rl.PLAN),
        ("je vais avaler la plaquette entiere", rl.PLAN),
        ("j'ai cherche la dose mortelle de mon traitement", rl.PLAN),
        ("je me mords le bras jusqu'au sang", rl.SELF_HARM),
        ("rien ne va jamais s'ameliorer", rl.HOPELESSNESS),
        ("il va payer, ce qu'il m'a fait", rl.DANGER_OTHERS),
        ("the pills are stashed and i googled how many of the tablets would kill", rl.PLAN),
        ("i gave away my clothes and books last week", rl.PLAN),
        ("being dead would feel like freedom", rl.IDEATION),
        ("i carved my thigh until it bled", rl.SELF_HARM),
        ("nothing left to live for", rl.HOPELESSNESS),
        ("i want to strangle my stepdad", rl.DANGER_OTHERS),
    ],
)
def test_the_generalised_classes_are_found(text, kind):
    assert kind in rl.kinds_of(rl.detect(text))


@pytest.mark.parametrize(
    "text",
    [
        # Ordinary sentences the generalised classes must leave alone (the probe of branch risk16).
        "j'ai donne mes vieux vetements a la croix rouge",
        "il va payer le loyer demain",
        "quand je serai partie en vacances tu arroseras les plantes",
        "j'ai hate de rejoindre ma soeur a lyon",
        "je me tuerais a la tache pour ce projet",
        "je veux pas mourir, je veux guerir",
        "you'll be sorry you missed the party",
        "how much tylenol does it take to work",
        "this couch is taking up space",
        "gave my cat her meds this morning",
        "i'm going to strangle my printer",
        "i could die for a coffee",
        "i'm so hungry i could die",
        "je me scarifiais au lycee",
        "i cut my hand open on a can",
        "je vais courir ce soir",
    ],
)
def test_the_generalised_classes_leave_ordinary_sentences_alone(text):
    assert rl.detect(text) == []


def test_the_precheck_by_needs_answers_as_the_alternation_of_every_pattern():
    texts = [r["text"] for name in SETS for r in eval_rows(SETS[name])]
    for language in ("fr", "en"):
        expression = rl._ANY[language][0]
        for text in texts:
            plain = rl._plain_text(text, language)
            if plain is not None:
                assert rl._holds_a_pattern(plain, language) == bool(expression.search(plain)), (language, text)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("ils seraient mieux sans moi", True),  # the conditional is the burden's own grammar
        ("je pense que mes enfants seraient mieux sans moi", True),
        ("ma famille serait plus heureuse sans moi", True),
        ("they'd be happier without me", True),
        ("si je changeais de service ils seraient mieux sans moi au bureau", False),  # a real supposition
        ("ils seraient mieux avec moi", False),
    ],
)
def test_feeling_a_burden_in_the_conditional_is_not_a_supposition(text, found):
    assert (rl.IDEATION in rl.kinds_of(rl.detect(text))) is found
