"""Risk language in patient-written text (check-in notes), French and English.

A prompt to look, never a diagnosis: it finds expressions of suicidal ideation, self-harm,
intent or plan, hopelessness and danger to others, and leaves out the ones the text itself
qualifies as negated ("je ne pense pas à me faire du mal"), hypothetical ("si j'avais des idées
noires"), about someone else ("ma sœur a fait une tentative"), reported ("il m'a dit qu'il
voulait mourir") or in the past ("il y a dix ans"), and common idioms ("mort de rire", "this
homework is killing me").

The machinery is EDS-NLP (AP-HP's clinical NLP on spaCy): its regex matcher on the normalised
text (lower case, accents removed) and its rule-based qualifiers `eds.negation`,
`eds.hypothesis`, `eds.family`, `eds.reported_speech` and `eds.history` (with cues of the past:
"en 2015" or "il y a 3 ans" reads as history, "hier soir" does not). No model is downloaded.
English runs the same components on spaCy's English tokenizer with English cue lists. The
expressions are this module's; idioms are matched as longer spans of their own kind, which
the matcher's longest-span rule prefers over the risk expression inside them.

Pure computation, no Django (import-linter contract): the pipelines are built once per process
(`pipelines()`, about a second) and reused. Measured and evaluated by
`manage.py evaluate_risk_language` on monitoring/data/risk_language_eval.jsonl; what it misses
is listed in docs/risk-language.md."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

IDEATION = "ideation"
SELF_HARM = "self_harm"
PLAN = "plan"
HOPELESSNESS = "hopelessness"
DANGER_OTHERS = "danger_others"
KINDS = (IDEATION, PLAN, SELF_HARM, HOPELESSNESS, DANGER_OTHERS)
_IDIOM = "idiom"
# Warning signs of a plan that name no death and no means (giving belongings away, a will,
# settling one's affairs, farewells, things cancelled "no longer needed after Sunday"): reported
# as a plan, but `high` on their own; `critical` only when the same note also holds ideation or a
# plan with means or intent (branch risk16b: a night nurse is not paged for a will at the notary).
_SIGN = "sign"

# The flag a check-in response carries when its note held risk language.
RISK_LANGUAGE = "risk_language"

CRITICAL, HIGH, MEDIUM = "critical", "high", "medium"
_SEVERITY_RANK = {CRITICAL: 3, HIGH: 2, MEDIUM: 1}
# Plan or intent is critical (as PHQ-9 item 9); the rest is a prompt to call.
_SEVERITY = {PLAN: CRITICAL, IDEATION: HIGH, SELF_HARM: HIGH, DANGER_OTHERS: HIGH, HOPELESSNESS: MEDIUM}

# Qualifiers that do not apply to a kind: a threat against one's child names a family member
# without being about them; a conditional threat ("si je le croise je le tue") is still one.
_QUALIFIERS = ("negation", "hypothesis", "family", "reported_speech", "history")
_NOT_APPLIED = {
    DANGER_OTHERS: {"family", "hypothesis"},
}


@dataclass(frozen=True)
class RiskMatch:
    """One expression found. Offsets are character offsets in the text given to `detect`."""

    kind: str
    severity: str
    language: str
    expression: str
    start: int
    end: int
    sentence: str
    sentence_start: int
    sentence_end: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Candidate:
    """Every expression found, with why it was left out (`excluded_by`, empty when kept)."""

    match: RiskMatch
    excluded_by: tuple[str, ...]


# --- French ------------------------------------------------------------------------------------
# Patterns run on the normalised text: lower case, no accents, typographic quotes made plain.

_FR_ME = r"(?:j?me |m'|m )"
_FR_DEATH = r"(?:mourir|mourrir|mourire|crever|disparaitre|en finir|d'en finir|me tuer|me suicider|me foutre en l'?air)"

FR_PATTERNS: dict[str, list[str]] = {
    _SIGN: [r"\bmes adieux\b"],
    IDEATION: [
        rf"\b(?:envie|envi|besoin|pense|penser|pensee?s?|veux|veut|voudrais|voulais|aimerais|souhaite)"
        rf"(?: d'| de | d | a | au | a la )?(?:\w+ ){{0,2}}{_FR_DEATH}\b",
        r"\b(?:veux|voudrais|aimerais|souhaite) (?:\w+ )?mourir\b",
        r"\bmourir\b",
        r"\bmourrir\b",
        r"\bcrever\b",
        r"\b(?:d'|d |de )?en finir\b",
        r"\bme (?:tuer|suicider)\b",
        r"\b(?:suicide|suicider|suicidaires?)\b",
        r"\bidees? (?:noires|de suicide|suicidaires?|de mort)\b",
        r"\bpense(?:r|s|e)? (?:a|au) (?:la mort|mourir|suicide)\b",
        r"\b(?:foutre en l'?air|fout en l'?air)\b",
        r"\bmettre fin a mes jours\b",
        r"\b(?:n'ai |n'?ai |ne veux |veux |voudrais )?plus (?:envie de |le gout de )?vivre\b",
        r"\b(?:marre|fatiguee?|lasse?) de (?:vivre|la vie)\b",
        r"\b(?:ne )?(?:plus|jamais) (?:jamais )?(?:me )?reveiller\b",
        r"\bje me (?:tue|suicide)\b",
        r"\b(?:me|m') ?(?:noyer|pendre|empoisonner|ouvrir les veines|trancher les veines|jeter sous|jeter du"
        r"|jeter par)\b",
        r"\b(?:dormir|partir|disparaitre) pour toujours\b",
        r"\bjamais (?:ete |etre )nee?\b",
        r"\b(?:arreter|stopper) de vivre\b",
        r"\bpensees? (?:suicidaires?|de mort|noires)\b",
        r"\b(?:etre|etais|serais) morte?\b",
        r"\bdisparaitre pour toujours\b",
        r"\bveux plus etre la\b",
        r"\bmieux sans moi\b",
        r"\bplus heureu\w* sans moi\b",
        r"\bplus simple si je n'?etais plus la\b",
        r"\bla mort (?:me semble|est) la seule solution\b",
        r"\bpartir pour de bon\b",
        r"\bque tout s'arrete,? (?:definitivement|pour toujours)\b",
    ],
    PLAN: [
        r"\b(?:achete|trouve) une corde\b",
        r"\blettre d'adieu\b",
        r"\b(?:mis de cote|garde|stocke|stocker|accumule) (?:tous |toutes )?(?:mes |les )?"
        r"(?:cachets|medicaments|medocs|comprimes)\b",
        r"\b(?:toute la boite|tous mes (?:cachets|medicaments|medocs|comprimes)|tout prendre)\b",
        r"\b(?:sauter|me jeter|me jette|jeter) (?:du|d'un|par la|sous|de la|d'ou|du haut)\b",
        r"\bd'ou sauter\b",
        r"\bme pendre\b",
        r"\bme tirer une balle\b",
        r"\bcombien de (?:comprimes|cachets|medicaments) (?:il faut )?pour mourir\b",
        r"\b(?:tout prepare|decide|prevu) (?:pour |de |d')?(?:en finir|me tuer|me suicider|me pendre|mourir)\b",
        r"\bavaler tous?\b",
        r"\b(?:prepare|aligne|sorti|compte)\w* (?:les |mes |tous mes |toutes mes )?"
        r"(?:medicaments|cachets|comprimes|medocs)\b",
        r"\bma decision\b",
    ],
    SELF_HARM: [
        rf"\b{_FR_ME}(?:suis |fais |ferais |faire |suis fait |ai fait )?(?:encore |deja |souvent )?"
        r"(?:scarifi\w*|(?:re)?coupe\w*|mutile\w*|mutiler|brule\w*|taillade\w*|griffe\w*|frappe\w*|tape\w*)\b",
        rf"\b{_FR_ME}(?:faire|fais|fait|ferais|suis fait) (?:du |de )?mal\b",
        r"\b(?:aux |les )(?:poignets|veines)\b",
        r"\b(?:scarification|automutilation|scarifier)\b",
        r"\bjusqu'(?:a|au) (?:saigner|sang)\b",
        r"\b(?:pris|avale) \d+ (?:doliprane|cachets|comprimes|medicaments)\b",
    ],
    HOPELESSNESS: [
        r"\b(?:n'ai |n'?ai |j'ai )?(?:plus|pas) (?:aucun |d'|de |d )?espoir\b",
        r"\b(?:aucun|sans) espoir\b",
        r"\bdesesperee?s?\b",
        r"\bplus rien n'a de sens\b",
        r"\b(?:ne |n')?vois (?:pas|aucune?|plus) (?:d'|de |d )?(?:avenir|issue|solution|bout du tunnel)\b",
        r"\b(?:pas|aucune?) (?:d'|de )?(?:avenir|issue)\b",
        r"\bfardeau\b",
        r"\bune charge pour\b",
        r"\bne s'arrangera jamais\b",
        r"\ba quoi bon\b",
        r"\baucune raison de (?:continuer|vivre)\b",
        r"\bma vie ne vaut rien\b",
        r"\brien ne changera\b",
        r"\b(?:n'y a |y a |il y a )?pas de solution pour moi\b",
        r"\b(?:ne )?sert a rien de (?:continuer|vivre|se battre|lutter|essayer)\b",
        r"\b(?:rien ne|ca ne|ca) va (?:pas |jamais )?s'ameliorer\b",
        r"\bvie est (?:un echec|foutue|finie|ratee)\b",
        r"\b(?:suis|c'est) (?:foutue?|fini pour moi)\b",
        r"\bfini pour moi\b",
        r"\b(?:ne |n')?j?vois (?:pas|plus|jamais) (?:le )?bout du tunnel\b",
    ],
    DANGER_OTHERS: [
        r"\b(?:tuer|buter|planter|etrangler|egorger|defoncer|poignarder|frapper|tabasser|cogner|massacrer) "
        r"(?:mon|ma|mes|le|la|les|l'|lui|leur|ce|cette|ces|quelqu'un|tous|tout le monde)\b",
        r"\b(?:le|la|les|l') ?(?:tuer|tue|tuerai|buter|bute|etrangler|planter|defoncer|egorger)\b",
        r"\bfaire (?:du|de) mal a (?:quelqu'un|mon|ma|mes|lui|elle|eux|quelqu)\b",
        r"\bm'en servir contre\b",
        r"\bvoix (?:me )?(?:disent|dit|ordonnent|demandent) de (?:tuer|frapper|faire du mal)\b",
    ],
    _IDIOM: [
        r"\bmorte?s? de (?:rire|fatigue|faim|honte|peur|froid|chaud|soif)\b",
        r"\b(?:mourir|meurs|meurt|creve|crevons|crever) (?:de |d')(?:faim|chaud|froid|soif|rire|fatigue|envie|ennui)\b",
        r"\ba mourir d'ennui\b",
        r"\bm'a tuee?s?\b",
        r"\b(?:boulot|travail|taf|ca|cela|tu|vous|il|elle|ils|elles|film|chaleur|escaliers|enfants|gamins|chaussures) "
        r"(?:me|m') ?(?:tue|tues|tuent)\b",
        r"\ba mourir\b(?: de rire)?",
        r"\bennuyeux a mourir\b",
        r"\b(?:tue|tuer) le temps\b",
        r"\bme suis tuee? a la tache\b",
        r"\btues? de rire\b",
        r"\b(?:vont|va) me tuer\b",
        r"\bme suis (?:coupee?|brulee?|ouverte?) (?:le doigt|la main|les cheveux|en \w+|avec (?:le|la|un|une) \w+)\b",
        r"\bme suis coupee? les cheveux\b",
        r"\btentative de (?:recette|gateau)\b",
        r"\bpendaison de cremaillere\b",
        r"\ben finir avec (?:ce|le|la|les|mon|ma|mes) (?:menage|travail|boulot|dossier|devoirs|rangement|repassage)\b",
        r"\bjeter (?:sur|dans) (?:mon|le|la) (?:lit|canape|travail)\b",
        r"\b(?:le|la) jeter par la fenetre\b",
        r"\bplus d'espoir pour (?:mon|ma|mes|l'|le|la)\b",
        r"\btuer (?:une|un|des) (?:araignee|moustique|mouche|insecte)s?\b",
        r"\b(?:plante|batterie|telephone|voiture) est morte?\b",
    ],
}

# Families of expressions, widened (branch lex16) beyond the sentences the lists above were
# tuned on: each line is a family (a verb with its conjugations and SMS spellings: "jveux",
# "jvais", "g" for "j'ai", no apostrophe "lacte"), not one sentence. A leading cue of negation
# that belongs to the expression ("je n'ai plus la force") is inside the span, so the negation
# qualifier (which reads the words before the span) does not take it for a denial.
_FR_MEDS = (
    r"(?:medicaments?|medocs?|cachets?|comprimes?|pilules?|gelules?|boites?|plaquettes?|somniferes?"
    r"|anxiolytiques?|doliprane|paracetamol|dafalgan|efferalgan|xanax|lexomil|temesta|valium|seresta|stilnox"
    r"|imovane|zolpidem|tercian|seroquel|quetiapine|lithium|teralithe|depakote|depakine|zyprexa|olanzapine"
    r"|risperdal|abilify|atarax|deroxat|prozac|seroplex|laroxyl|anafranil|effexor|tramadol|codeine|lamaline)"
)
_FR_WIDER: dict[str, list[str]] = {
    IDEATION: [
        # a wish + a way of dying, with the SMS-fused subject ("jveux", "jaimerais", "g envie")
        r"\bj?'?(?:veux|voudrais|voulais|aimerais|souhaite|envie|besoin|pense|penser)"
        r"(?: d'| de | d | a | au )?(?:\w+ ){0,3}(?:mourir|crever|disparaitre|en finir|partir|me tuer|me suicider"
        r"|me foutre en l'?air|mettre fin)\b",
        r"\b(?:meurs|meure|mourrai|mourrais|creve|creverai|creverais) (?:bientot|enfin|seule?|pour de bon)\b",
        r"\bdisparaitre (?:pour de bon|a jamais|definitivement|de la surface)\b",
        r"\bne plus etre (?:la|ici|en vie|de ce monde)\b",
        r"\bplus (?:etre|exister) (?:la|ici|en vie)\b",
        r"\b(?:n'?ai |jai |j'ai |g |ai )?plus (?:aucune )?(?:envie|gout|raison|force) de vivre\b",
        r"\b(?:ne )?j?(?:veux|veut|voudrais|aimerais) (?:plus|pas) (?:vivre|continuer a vivre|exister)\b",
        r"\bmettre (?:fin|un terme) a (?:ma vie|mes jours|tout|mon existence)\b",
        r"\b(?:serais|serait|etre|suis) (?:mieux|plus tranquille|plus heureuse?) morte?s?\b",
        r"\bsi j'?(?:etais|etait) morte?\b",
        r"\b(?:suicid\w*|sucid\w*|suicd\w*|suiside\w*)\b",
        r"\bme (?:tuer|tuerai|tuerais|suicide|suiciderai|suiciderais|supprimer|flinguer)\b",
        r"\b(?:ne )?jamais (?:ete |etre )nee?\b",
        r"\b(?:m'en aller|partir) pour (?:de bon|toujours)\b",
        r"\bplus me reveiller\b",
        r"\b(?:en finir|finir) avec (?:la vie|ma vie|tout ca|tout|moi)\b",
    ],
    PLAN: [
        r"\bpass\w* a l'?acte\b",
        r"\b(?:avaler|avale|avalerai|prendre|prends|prendrai|pris) (?:tous|toutes|toute|tout) "
        r"(?:mes |les |la |ma |mon )?(?:\w+ )?" + _FR_MEDS + r"\b",
        r"\b(?:garde|gardes|mis de cote|stocke|cache|accumule|economise)\w* (?:\w+ ){0,2}" + _FR_MEDS + r" "
        r"(?:pour|afin)\b",
        r"\b(?:sauter|sauterai|saute|me jeter|me jetterai|me jeterai) (?:du|d'un|d'une|de la|depuis|par la|sous|"
        r"dans le vide|du haut)\b",
        r"\bme (?:pendre|pendrai|pends|tirer une balle|jeter sous|ouvrir les veines|noyer|empoisonner)\b",
        r"\b(?:achete|trouve|prepare|pris)\w* (?:une |la |de la )?(?:corde|arme|lame|rasoir)s? pour\b",
        r"\b(?:choisi|fixe|prevu|decide)\w* (?:la date|le jour|le moment|l'endroit)\b",
        r"\blettres? d'adieu\b",
        r"\b(?:repere|trouve) (?:un |le |une )?(?:pont|endroit|immeuble|falaise|toit) pour\b",
    ],
    SELF_HARM: [
        rf"\b{_FR_ME}(?:suis |fais |ferai |ferais |faire |ai |vais |veux )?(?:encore |deja |souvent |re)?"
        r"(?:couper|coupe|coupee|coupes|scarifie\w*|scarifier|taillad\w*|entaill\w*|mutil\w*|bruler|brule|brulee"
        r"|cramer|lacer\w*|taillader)\b(?! (?:les cheveux|le doigt|en cuisinant|en \w+ant))",
        r"\b(?:des |les )?entailles? (?:sur|aux|dans)\b",
        r"\b(?:scarifications?|automutilations?|auto-mutilations?|scarif)\b",
        r"\b(?:taillade|tailler|ouvrir|couper|coupe) (?:les |mes )(?:veines|poignets|bras|cuisses)\b",
        rf"\b{_FR_ME}(?:faire|fais|fait|ferai|ferais|suis fait|vais faire|veux faire)"
        r" (?:du |de |tres |vraiment )?mal\b",
    ],
    HOPELESSNESS: [
        r"\b(?:n'?ai |jai |j'ai |g |ai )?plus (?:aucun |d'|de |d |aucune )?(?:espoir|raison d'esperer)\b",
        r"\b(?:n'?ai |jai |j'ai |g |ai )?plus (?:la force|le courage|l'energie|la force de rien)\b",
        r"\b(?:rien ne|ca ne|ca) (?:changera|va changer|changera jamais|va jamais changer|ira jamais mieux)\b",
        r"\b(?:tout|c'est tout|tout est) (?:perdu|foutu) (?:pour moi|d'avance)?\b",
        r"\btout le monde (?:serait|sera|se porterait) mieux sans moi\b",
        r"\b(?:je suis|chui|suis|jsuis) (?:qu'un|un|une|juste un|juste une) (?:fardeau|poids|boulet)\b",
        r"\b(?:ne |n')?(?:sers|sert) (?:a rien|plus a rien)\b(?! (?:ce|cette|le|la|ton|ta) )",
        r"\b(?:ne |n')?(?:vois|trouve|ai|a)? ?plus (?:aucune |de |d')?raison de"
        r" (?:vivre|continuer|me battre|me lever)\b",
        r"\b(?:serai|serais) (?:jamais|plus jamais) heureuse?\b",
    ],
    DANGER_OTHERS: [
        r"\b(?:lui|leur) (?:faire|fais|ferai|ferais|foutre) (?:du |tres |vraiment )?mal\b",
        r"\b(?:lui|leur) (?:casser la gueule|regler son compte|faire la peau|planter un couteau)\b",
        r"\benvies? de (?:tuer|frapper|tabasser|buter|massacrer)\b",
        r"\b(?:frapper|frappe|frapperai|cogner|tabasser|taper) (?:mon|ma|mes|le|la|les|ce|cette|l')\b",
        r"\b(?:le|la|les|l') ?(?:frapper|cogner|tabasser|buter|tuerais|tuerai|massacrer|poignarder)\b",
    ],
    _IDIOM: [
        r"\b(?:chaleur|froid|faim|soif|ennui|ennuyeux|bruit|mal au dos) a (?:crever|mourir)\b",
        r"\bme suis coupee? (?:en|avec|au|a la) \w+\b",
        r"\bme suis brulee? (?:en|avec|au|a la) \w+\b",
    ],
}
for _kind, _extra in _FR_WIDER.items():
    FR_PATTERNS[_kind].extend(_extra)

# Classes of misses found on the independent set (branch rleval: sentences written by someone who
# had not read this lexicon). Each line is a family of wordings, not one sentence: SMS "pu" for
# "plus", "exister" beside "vivre", a wish not to wake up, the means named with "sur moi", a
# crash on purpose, stockpiled medicines named by brand, farewells, head-banging and blades,
# hiding the arms, a future that has no way out, arson and hallucinated orders.
_FR_CLASSES: dict[str, list[str]] = {
    IDEATION: [
        r"\b(?:n'?ai |jai |j'ai |g |ai )?(?:plus|pu|pus) (?:aucune )?(?:envie|gout|raison|force) "
        r"(?:de vivre|d'exister|d'etre en vie|d'etre la)\b",
        r"\bj?(?:veux|veut|voudrais|aimerais) (?:plus|pu|pus) (?:vivre|exister|etre la|etre en vie)\b",
        r"\b(?:voudrais|aimerais|veux|souhaite|souhaiterais|prefererais|espere|envie de) (?:\w+ )?(?:ne )?"
        r"(?:pas|plus|pu|jamais) (?:me )?(?:reveiller|voir demain|revoir le jour)\b",
        r"\b(?:mourir|la mort|le suicide|en finir|me tuer|disparaitre) (?:me semble|m'a l'air|est|serait|c'est|reste)"
        r" (?:\w+ )?(?:la )?seule (?:solution|issue|option|porte de sortie)\b",
        r"\bpersonne (?:ne )?(?:remarquerait|verrait|s'en rendrait compte|me regretterait|s'apercevrait)\b",
        r"\b(?:ne )?(?:me |m')?j?vois (?:pas|plus|pu) (?:\w+ )?(?:encore (?:la|en vie|vivante?)|en vie|vivante?)\b",
        r"\b(?:ne )?(?:vous |te |t'|les |l')?(?:embeterai|ennuierai|derangerai|generai|emmerderai|saoulerai)"
        r" (?:plus|pu)\b",
        r"\b(?:serai|serais) (?:plus|pu) (?:un |une )?(?:poids|fardeau|probleme|boulet) pour\b",
        r"\b(?:m'en servir|me servir|l'utiliser|le retourner|la retourner) (?:\w+ )?(?:sur|contre) moi\b",
        r"\b(?:foncer|me crasher|m'encastrer|me jeter) (?:\w+ ){0,3}(?:dans|contre) (?:un|une|le|la) "
        r"(?:arbre|mur|platane|pilier|camion|poteau|rambarde)\b",
        r"\b(?:c'est|c|cest|ce sera|ca sera) la fin\b(?! (?:de|des|du|d'))",
        r"\b(?:apres ma mort|apres mon deces|quand je (?:ne )?serai (?:plus|pu) la|une fois que je (?:ne )?serai"
        r" (?:plus|pu) la)\b",
    ],
    PLAN: [
        r"\b(?:vais|jvais|veux|compte|vais aller) (?:me )?sauter\b(?! (?:de joie|le pas|le repas|un repas|le dejeuner"
        r"|le petit|une etape|une ligne|dans (?:mes|ses|les|tes) bras|au plafond|en parachute|a l'elastique"
        r"|sur l'?occasion|sur l'occase|dans le train|dans un train|dans le bus|a la corde|sur le lit"
        r"|dans la piscine|dans l'eau"
        r"|le cours|un cours|la barriere))",
        r"\b(?:stocke|accumule|mis de cote|economise|amasse|planque)\w* (?:\w+ ){0,3}" + _FR_MEDS + r"\b",
        r"\b(?:tout )?(?:avaler|gober|prendre)(?: tout)? (?:\w+ ){0,2}d'un (?:seul )?coup\b",
        r"\badieu (?:a tous|a toutes|a vous|tout le monde|pour toujours)\b",
        r"\bderniere fois que (?:j'ecris|je vous ecris|je remplis|vous avez de mes nouvelles|vous me lisez)\b",
        r"\bau revoir (?:\w+ ){0,4}pour de (?:vrai|bon)\b",
    ],
    SELF_HARM: [
        r"\b(?:j?me|m') ?(?:tape|frappe|cogne|claque) (?:la )?tete (?:contre|sur|par terre)\b",
        r"\b(?:cache|garde|planque|achete|recommence avec|repris)\w* (?:\w+ )?(?:les |la |des |une |mes |ma )"
        r"lames?\b(?! de (?:fond|parquet|terrasse))",
        r"\blames? de rasoir\b",
        r"\b(?:j?me |m')?(?:suis )?(?:brule|coupe|entaille|griffe|frappe|mordu|cogne|tape|ouvert)e?s? (?:\w+ ){0,5}"
        r"(?:expres|volontairement|pour me faire mal|pour avoir mal|pour me punir)\b",
        r"\bpour que personne (?:ne )?(?:voie|remarque|voit) (?:mes |les )?(?:bras|poignets|cuisses|jambes|cicatrices"
        r"|marques|coupures|traces)\b",
        r"\bcacher (?:mes|les) (?:cicatrices|marques|coupures|traces|bras|poignets)\b",
    ],
    HOPELESSNESS: [
        r"\b(?:aucune?|pas de|plus de|sans|pas d'|plus d') (?:porte de sortie|echappatoire|futur)\b",
        r"\bperdu (?:tout |mon |l')?espoir\b",
        r"\bperdu d'avance\b",
        r"\ba quoi (?:ca|sa) (?:sert|servirait) (?:de (?:vivre|continuer|se battre|me battre|lutter|essayer"
        r"|me soigner|se soigner)|tout ca)\b",
        r"\b(?:la vie|ma vie|mon existence) (?:n'a |a )?(?:plus|pu|pas|aucun) (?:de |d')?sens\b",
    ],
    DANGER_OTHERS: [
        r"\bmettre le feu (?:chez|a (?:sa|son|leur|la) (?:maison|voiture|appart\w*|bureau|immeuble|boutique))\b",
        r"\b(?:bruler|cramer|incendier) (?:sa|son|leur|la) (?:maison|voiture|appart\w*|bureau|immeuble)\b",
        r"\bce que je vais (?:lui|leur) faire\b",
        r"\bje sais ou (?:il|elle|ils|elles) (?:habite|habitent|vit|vivent|dort|dorment)\b",
        r"\b(?:reponds|repondrai|repondrais) (?:plus|pu) de (?:rien|moi|mes actes)\b",
        r"\bvoix (?:\w+ ){0,3}(?:disent|dit|ordonnent|demandent|poussent|obligent) (?:\w+ ){0,2}(?:de |d'|a )"
        r"(?:tuer|frapper|faire du mal|faire mal|blesser|attaquer|poignarder)\b(?! (?:moi|me)\b)",
    ],
    _IDIOM: [
        # "j'ai envie de mourir de rire": the wish belongs to the idiom, longer than "envie de mourir".
        r"\b(?:j?'?(?:ai |avais )?(?:envie|besoin) (?:de |d')|(?:veux|vais|voudrais|aimerais|pourrais|allais|failli)"
        r" )(?:mourir|crever) (?:de |d')(?:faim|chaud|froid|soif|rire|fatigue|ennui|honte|peur)\b",
        # suicide as a topic, not the patient's
        r"\b(?:prevention|taux|signes? d'alerte|chiffres?|statistiques?) (?:du |de |sur le )suicide\b",
        r"\b(?:le )?suicide (?:des|chez les) \w+",
    ],
}
for _kind, _extra in _FR_CLASSES.items():
    FR_PATTERNS[_kind].extend(_extra)

FR_NEGATION_EXTRA = [
    "plus d'",
    "plus de",
    "pas d'",
    "pas de",
    "jamais",
    "pas",
    "aucune",
    "aucun",
    "non",
    "n'ai plus",
    "n'ai pas",
    "n'ai jamais",
    "ai plus",
    "ai pas",
    # SMS and list-like denials (branch rleval)
    "pa",
    "zero",
    "0",
]
# EDS-NLP's "ne ... pas" cue, with "plus" ("je ne me coupe plus") and the elided "n'".
FR_NEGATION_REGEX = [
    r"\bne\b(?=[ \n]*(?:\w*[ \n]*){3}(?:pas|point|ni|aucun|jamais|rien|plus)\b)",
    r"\bn'(?=\w+[ \n]+(?:\w*[ \n]*){2}(?:pas|plus|jamais|rien|aucun))",
]
# Conditional wishes are not hypotheses: "je voudrais ne plus me réveiller".
FR_HYPOTHESIS_PSEUDO = ["voudrais", "aimerais", "serait mieux", "serait plus simple", "devrais", "souhaiterais"]
FR_HYPOTHESIS_EXTRA = [
    "au cas ou",
    "en cas d'",
    "en cas de",
    "peur d'",
    "peur de",
    "peur que",
    "peur qu'",
    "est-ce que",
    "est ce que",
    "si jamais",
    "savoir si",
    "peut donner",
    "pourrait",
    "?",
]
FR_FAMILY_EXTRA = [
    "ami",
    "amie",
    "meilleure amie",
    "meilleur ami",
    "copain",
    "copine",
    "collegue",
    "voisin",
    "voisine",
    "son anniversaire",
]
FR_REPORTED_EXTRA = ["m'a dit", "m'a demande", "a dit", "disait", "dit qu'", "dit que", *("film", "infos", "reportage")]
# Works of fiction and the news: what happens in them is not the patient's, whoever reads them.
FR_MEDIA = (
    "film",
    "infos",
    "reportage",
    "livre",
    "roman",
    "article",
    "chanson",
    "chante",
    "chantait",
    "paroles",
    "serie",
    "episode",
    "podcast",
    "documentaire",
    "personnage",
    "emission",
    "la piece",
    "le jeu",
)
FR_REPORTED_EXTRA += [cue for cue in FR_MEDIA if cue not in FR_REPORTED_EXTRA]
FR_HISTORY_EXTRA = [
    "quand j'etais",
    "a l'epoque",
    "l'annee derniere",
    "dans le passe",
    "autrefois",
    "avant mon hospitalisation",
    "il y a longtemps",
    "c'est loin",
    "ado",
    "adolescente",
    "ancienne tentative",
    "plus maintenant",
    "ca fait",
    "l'hiver dernier",
    "l'ete dernier",
    "l'automne dernier",
    "le printemps dernier",
    "au printemps dernier",
    "le mois dernier",
    "a l'adolescence",
    "adolescence",
    "plus jeune",
    # school years (branch risk16: "je me scarifiais au college")
    "au college",
    "au lycee",
    "en primaire",
    "en 4eme",
    "en 3eme",
]
FR_INTENT = re.compile(
    r"\b(?:je vais|jvais|vais|j'ai decide|c'est decide|c decide|j'ai prevu|prevu de|je compte|compte)\b"
    r"|\b(?:ce soir|cette nuit|demain|ce week-?end|samedi|dimanche|pour bientot)\b"
)

# --- English -----------------------------------------------------------------------------------
# Patterns run on the lower-cased text (spaCy's English tokenizer splits "don't" as "do n't").

_EN_DEATH = r"(?:die|be dead|kill myself|end it all|end my life|end it|disappear forever)"
_EN_NOT = r"(?:do ?n't|dont|do not|don t)"

EN_PATTERNS: dict[str, list[str]] = {
    _SIGN: [],
    IDEATION: [
        rf"\b(?:want|wanna|wish|wishing|going|ready|need) (?:to )?{_EN_DEATH}\b",
        r"\bdie\b",
        r"\bwish i (?:was|were) dead\b",
        r"\b(?:better off dead|be dead)\b",
        r"\bkill(?:ing)? myself\b",
        r"\bkms\b",
        r"\bsuicid(?:e|al)\b",
        r"\bend(?:ing)? (?:it all|my life)\b",
        rf"\b{_EN_NOT} want to (?:live|be alive|be here)\b",
        r"\b(?:never wake up|disappear forever)\b",
        r"\btired of (?:living|life)\b",
        r"\bbetter off without me\b",
        r"\bthoughts of death\b",
        r"\bdone with life\b",
        r"\bstop (?:living|existing)\b",
        r"\bwish i (?:was|were) ?n'?t (?:alive|here|born)\b",
        r"\bwish i (?:was|were) never born\b",
        r"\bsleep forever\b",
        r"\b(?:drown|hang|shoot|poison) myself\b",
        r"\bwants? to die\b",
        r"\bif i (?:was|were)n'?t here\b",
    ],
    PLAN: [
        r"\b(?:bought|got|have) (?:a|the) (?:rope|gun)\b",
        r"\bgun ready\b",
        r"\bsuicide note\b",
        r"\bsaving (?:up )?(?:my |the )?(?:pills|meds|tablets)\b",
        r"\b(?:whole|entire) bottle\b",
        r"\btake (?:them )?all (?:my |the |at once)",
        r"\bhow many (?:pills|tablets) (?:it takes )?to die\b",
        r"\bplan to (?:end|kill|die)\b",
        r"\bdecided to (?:end|kill|die)\b",
        r"\b(?:jump off|step in front of|hang myself|overdose)\b",
        r"\b(?:pills|meds|tablets) (?:lined up|ready|counted|saved)\b",
    ],
    SELF_HARM: [
        r"\b(?:cut|cutting|burn|burned|burnt|hurt|hurting|harm|harming|hit|scratched|scratch) myself\b",
        r"\bself[- ]?harm(?:ing)?\b",
        r"\b(?:feel like|urge to|want to) cut(?:ting)?\b",
        r"\bcut my (?:arms|wrists|legs|thighs)\b",
        r"\buntil (?:it|i) bled\b",
        r"\bhandful of (?:paracetamol|pills|tablets)\b",
        r"\b(?:cut|burn|burned|burnt|hit|scratched|hurt)\w* (?:my \w+ )?on purpose\b",
        r"\bcut (?:again|deeper)\b",
        r"\bhurt myself\b",
    ],
    HOPELESSNESS: [
        r"\bno hope\b",
        r"\b(?:hopeless|worthless)\b",
        r"\bnothing matters\b",
        r"\bno future\b",
        r"\bno way out\b",
        r"\ba burden\b",
        r"\bnever (?:going to )?get better\b",
        r"\bwhat ?'?s the point\b",
        r"\bno reason to (?:keep going|live|go on)\b",
        r"\bnothing will ever change\b",
        r"\blost (?:all )?hope\b",
        r"\b(?:there ?'?s|there is|theres) no point\b",
        r"\bpointless\b",
    ],
    DANGER_OTHERS: [
        r"\b(?:kill|stab|shoot|strangle|beat up|punch|smash) "
        r"(?:him|her|them|my \w+|someone|everyone|people|you|that \w+|this \w+)\b",
        r"\bhurt(?:ing)? (?:someone|my \w+|him|her|them|people|anyone|others)\b",
        r"\bstrangle (?:him|her|them)\b",
        r"\buse it on (?:him|her|them)\b",
        r"\bmake (?:him|her|them) pay\b",
    ],
    _IDIOM: [
        r"\b(?:is|are|'s|was) killing me\b",
        r"\bdying to\b",
        r"\bkill(?:ing)? time\b",
        r"\bkill for (?:a|an|some)\b",
        r"\b(?:im|i'm|i am) dead\b(?! serious)",
        r"\bdied laughing\b",
        r"\bdead tired\b",
        r"\bto die for\b",
        r"\bsuicide squad\b",
        r"\bkilled it\b",
        r"\b(?:phone|battery|plant|car) died\b",
        r"\bbored to death\b",
        r"\bcut myself (?:shaving|cooking|on)\b",
        r"\bburn(?:ed|t)? myself (?:on|cooking|with the)\b",
        r"\bhopeless at\b",
        r"\b(?:going to|gonna|will) kill me\b",
        r"\b(?:want to |wanna )?die of (?:embarrassment|shame|boredom|laughter)\b",
        r"\bjump(?:ed)? off (?:the|a) (?:bus|train|bike)\b",
        r"\bsuicide prevention\b",
        r"\bdying of (?:laughter|laughing|boredom|embarrassment)\b",
        r"\bdeath of me\b",
    ],
}

# English families widened (branch lex16), SMS spellings included ("im", "wanna", "gonna", "rn").
_EN_MEDS = (
    r"(?:pills|meds|tablets|medication|medicine|sleeping pills|paracetamol|tylenol|bottle|pack|box|lithium"
    r"|seroquel|quetiapine|olanzapine|zyprexa|xanax|valium|diazepam|lorazepam|ativan|klonopin|ambien|zopiclone"
    r"|sertraline|prozac|fluoxetine|citalopram|venlafaxine|amitriptyline|tramadol|codeine|oxycodone|ibuprofen"
    r"|aspirin|insulin|lamotrigine|depakote)"
)
_EN_WIDER: dict[str, list[str]] = {
    IDEATION: [
        r"\b(?:kill|killing|off|offing|unalive|unaliving) myself\b",
        r"\btake my (?:own )?life\b",
        r"\bend(?:ing)? (?:it all|everything|my life|things|it for good)\b",
        r"\b(?:not|never|n't|dont|don't|do n't|do not) (?:to |want to |wanna )?wake up\b",
        r"\b(?:be |been |was |were )?gone for good\b",
        r"\b(?:better off|easier|happier|better) (?:for (?:everyone|everybody|them) )?(?:if i (?:was|were) "
        r"(?:dead|gone|not here)|without me|dead)\b",
        r"\bwish i (?:was|were|could be) (?:dead|gone)\b",
        r"\b(?:no longer|not) (?:want to |wanna )?(?:be )?(?:here|around|alive) (?:anymore|any more)\b",
        r"\b(?:want|wanna|wish|going|need|ready) (?:to )?(?:die|disappear)\b",
        r"\bsuicid(?:e|es|al|ally)\b",
        r"\bdont want to live\b|\bdon't want to live\b|\bdo n't want to live\b",
    ],
    PLAN: [
        r"\b(?:take|taking|swallow|swallowing|down|od on|overdose on) (?:all|every one of) (?:of )?(?:my |the |those )?"
        + _EN_MEDS
        + r"\b",
        r"\b(?:take|taking|swallow) (?:the )?(?:whole|entire) " + _EN_MEDS + r"\b",
        r"\boverdos(?:e|ed|es|ing)\b",
        r"\b(?:gonna|going to|will|wanna|want to|might|to) od\b",
        r"\b(?:bought|got|have|found|ordered) (?:a |the |some )?(?:rope|gun|blade|razor)s? (?:to|for)\b",
        r"\b(?:hang|hanging|shoot|shooting|drown|drowning) myself\b",
        r"\b(?:jump|jumping|throw myself) (?:off|from|in front of)\b",
        r"\b(?:picked|chose|set|planned) (?:the|a) (?:date|day|time|spot|place)\b",
        r"\b(?:found|picked) (?:a|the) (?:spot|place|bridge|building)\b",
        r"\b(?:tonight|tomorrow|today|this weekend) is the (?:day|night)\b",
        r"\b(?:goodbye|suicide) (?:letters?|notes?)\b",
        r"\b(?:wrote|written|writing|left) (?:a |my )?(?:letters?|notes?) (?:to|for) (?:everyone|my \w+)\b",
    ],
    SELF_HARM: [
        r"\b(?:cut|cutting|cuts|burn|burning|burned|burnt|hurt|hurting|harm|harming|hit|hitting|scratch"
        r"|scratching|carve|carved|carving|slash|slashed) (?:into )?"
        r"(?:myself|my (?:arms?|wrists?|legs?|thighs?|skin))\b"
        r"(?! (?:shaving|cooking|on the|by accident|accidentally))",
        r"\bslit (?:my )?(?:wrists?|throat)\b",
        r"\bself[- ]?(?:harm\w*|injur\w*)\b",
        r"\b(?:urge|want|wanna|need) to (?:cut|hurt myself|harm myself|burn myself)\b",
    ],
    HOPELESSNESS: [
        r"\bno (?:point|reason) (?:in )?(?:anymore|any more|living|trying|going on|to live|to try|to go on)\b",
        r"\b(?:such |just |only )?a (?:burden|waste of space)\b",
        r"\b(?:never|wont|won't|will never) (?:be )?(?:happy|better|get better|okay|ok) again\b",
        r"\bnothing (?:will|is going to|gonna) (?:ever )?(?:change|get better)\b",
        r"\b(?:gave|given|giving) up on (?:everything|life|myself)\b",
        r"\bno (?:strength|energy) (?:left )?to (?:go on|keep going|live|fight)\b",
        r"\b(?:everyone|everybody) (?:would|will|'d) be better off\b",
    ],
    DANGER_OTHERS: [
        r"\b(?:kill|killing|hurt|hurting|stab|stabbing|hit|hitting|beat|beating|punch|punching|strangle|choke|shoot)"
        r" (?:him|her|them|my (?:\w+ )?(?:son|daughter|kid|kids|baby|wife|husband|boss|mom|dad|mother|father|ex)"
        r"|that \w+|someone|somebody|people)\b",
        r"\b(?:urge|want|wanna|going|gonna) (?:to )?(?:kill|hurt|stab|hit|beat up)"
        r" (?:someone|somebody|people|him|her)\b",
    ],
    _IDIOM: [
        r"(?<!wish )\bi could (?:just )?die(?=[,.!]| of| laughing)",
        r"\b(?:phone|battery|laptop|plant|car|tv) (?:just )?died\b",
        r"\b(?:joke|movie|show|that|this|it|you) (?:killed|kills|is killing|was killing) me\b",
        r"\bkill for (?:a|an|some)\b",
    ],
}
for _kind, _extra in _EN_WIDER.items():
    EN_PATTERNS[_kind].extend(_extra)

# Classes of misses found on the independent set (branch rleval), as for French above.
_EN_CLASSES: dict[str, list[str]] = {
    _SIGN: [r"\bsaid goodbye to\b", r"\bgave away (?:all )?my\b"],
    IDEATION: [
        r"\b(?:not|never|n't|dont|don't|do n't|do not) (?:to |want to |wanna )?waking up\b",
        r"\b(?:feel|feeling|felt) like (?:dying|dieing|killing myself|ending it(?: all)?|disappearing forever)\b",
        r"\b(?:wish|wishing|hope|hoping|pray|praying|want) (?:that )?i (?:would ?n'?t|wouldnt|won'?t|wont|"
        r"will never|would never|never|did ?n'?t|didnt) wake up\b",
        r"\b(?:want|wish|need|'d like) (?:my life|it all|everything|this life|life) to (?:be over|end|stop)\b",
        r"\b(?:use|turn) (?:it|them|that|the gun|a gun|the knife|the pills) on myself\b",
        r"\b(?:no one|nobody|noone) (?:would|will|'d|is going to|gonna) (?:even )?(?:notice|care|miss me)\b",
        r"\b(?:do ?n'?t|dont|can'?t|cant|do not|cannot) see myself (?:being |still )?(?:around|here|alive)\b",
        r"\b(?:won'?t|wont|will not|not) be (?:around|here) (?:much |for much )?longer\b",
        r"\b(?:won'?t|wont|will not|wo n't|not) be (?:a |your |such a )?(?:problem|burden|bother|trouble|weight)"
        r"(?: (?:to|for|on) \w+)? (?:much |for much |any |for )?(?:longer|long)\b",
        r"\b(?:won'?t|wont|will not|no longer|not) be (?:a |your )?(?:problem|burden|bother) (?:for|to) "
        r"(?:anyone|anybody|you|everyone|everybody)\b",
        r"\b(?:drive|crash|steer|ram|swerve) (?:my car |the car |myself |it )?(?:into|off) (?:a |the )?"
        r"(?:wall|tree|truck|lorry|pole|bridge|river|cliff)\b",
        r"\b(?:when|once|after) i'?m (?:gone|dead|not here)\b",
    ],
    PLAN: [
        r"\b(?:going to|gonna|will|'ll|about to|ready to) jump\b(?! (?:rope|start|in the pool|into (?:the pool|bed)|on"
        r"|at|the queue|the gun|through|for joy|in|right in|out of bed))",
        r"\b(?:enough|plenty of) (?:\w+ ){0,2}" + _EN_MEDS + r"\b(?: \w+){0,2} to (?:end it|die|kill myself|do it"
        r"|not wake up)\b",
        r"\b(?:stashed|stockpiled|hoarded|saved up|hid|hidden|collected|stockpiling|hoarding|stashing) (?:\w+ ){0,3}"
        + _EN_MEDS
        + r"\b",
        r"\b" + _EN_MEDS + r" (?:\w+ )?(?:stashed|stockpiled|hoarded|saved up|hidden away)\b",
        r"\b(?:took|swallowed|downed) (?:all|every one of|the whole|the entire) (?:of )?(?:my |the |those )?(?:\w+ )?"
        + _EN_MEDS
        + r"\b",
        r"\b(?:i'?m|im|i am) (?:doing|going to do|gonna do) it (?:tonight|today|tomorrow|now|this time|this weekend)\b",
        r"\blast (?:check[- ]?in|message|note|entry|post)\b(?! (?:before|until|for|of the|of today|this week))",
        r"\bgoodbye (?:everyone|everybody|all|forever|for good|world|cruel world)\b",
    ],
    SELF_HARM: [
        r"\b(?:going to|gonna|will|'ll|want to|wanna|need to|urge to|about to) cut\b(?! (?:my hair|the|it|down|back"
        r"|out|off|ties|class|costs|corners|him|her|them|you|a |an |some|in|through|across|onions|bread|veg))",
        # "sh" and "s/h" apart: as one alternation the parser factors out "s", and the literal
        # pre-check (below) would then let almost every English note through to the regex.
        r"\bsh (?:again|urges?|relapse|today|tonight|last night)\b",
        r"\bs/h (?:again|urges?|relapse|today|tonight|last night)\b",
        r"\b(?:relapsed (?:on|with)|urges? (?:to|for)) (?:sh|s/h)\b",
        r"\b(?:cut|cutting|burn\w*|hit|hitting|scratch\w*|punch\w*|bit|bite|biting|bang\w*|hurt|slam\w*|smash\w*)"
        r" (?:\w+ ){0,5}(?:on purpose|deliberately|intentionally)\b",
        r"\b(?:hard enough|enough) to (?:bruise|bleed|draw blood|leave (?:a )?marks?|break the skin)\b",
        r"\bbang(?:ed|ing|s)? my head (?:against|on|into)\b",
        r"\b(?:so|that) (?:nobody|no one|noone|people|they|anyone) (?:sees?|can see|will see|notices?) (?:my )?"
        r"(?:arms|wrists|legs|thighs|scars|cuts|marks)\b",
        r"\b(?:hide|hiding|cover|covering) (?:up )?(?:my |the )?(?:scars|cuts|marks)\b",
        r"\b(?:hid|hide|hiding|stash\w*|kept|keep|keeping|bought|buy) (?:\w+ ){0,2}(?:blades?|razor blades?)\b",
    ],
    HOPELESSNESS: [
        r"\blost cause\b",
        r"\bmeaningless\b",
        r"\b(?:can'?t|cant|cannot|do ?n'?t|dont) see (?:any |a )?"
        r"(?:future|way out|light at the end|end to (?:this|it))\b",
        r"\bwhy bother\b",
    ],
    DANGER_OTHERS: [
        r"\b(?:kill|killing|shoot|shooting|stab|stabbing|strangle|strangling|hurt|hurting|attack|attacking) "
        r"(?:every(?:one|body)|all of them|the (?:man|woman|guy|lady|kid|neighbou?rs?|people)\b)",
        r"\b(?:burn|burning) (?:his|her|their|the) (?:house|car|place|flat|apartment|shop)\b",
        r"\bset fire to (?:his|her|their|the)\b",
        r"\bwhat i'?m (?:going to|gonna) do to (?:him|her|them)\b",
        r"\bi know where (?:he|she|they) (?:lives?|sleeps?|works?)\b",
        r"\b(?:someone|somebody)(?:'s| is) (?:getting hurt|going to get hurt|gonna get hurt)\b",
        r"\bvoices? (?:\w+ ){0,3}(?:tell|telling|told|say|saying|said|want|command\w*|order\w*) (?:me )?(?:\w+ ){0,3}"
        r"(?:to )?(?:kill|hurt|harm|stab|attack)\b(?! myself)",
    ],
    _IDIOM: [
        r"\boverdos\w* on (?:netflix|tv|television|series|shows?|chocolate|sugar|coffee|caffeine|cake|candy|sweets"
        r"|love|work|social media|tiktok|instagram|youtube|sun|music|carbs|pizza|memes)\b",
        r"\b(?:(?:warning )?signs? of|rates? of|statistics on|risk factors? for) suicide\b",
        r"\bsuicide (?:rates?|awareness|statistics|hotline|helpline|risk factors?)\b",
    ],
}
for _kind, _extra in _EN_CLASSES.items():
    EN_PATTERNS[_kind].extend(_extra)

# Classes generalised after the third independent set was written (branch risk16): verbs with
# every tense and person the patients use (conditional, imperfect, SMS forms through `respell`),
# a verb class with an object class instead of a phrase ("me" + a way of dying; a wound verb +
# a body part; a threat verb + a person), and the warning signs of a plan that name no death:
# giving belongings away, settling one's affairs, researching a dose or a height, the means
# made ready. Built from the classes of independent2's misses and the literature's warning signs.
_FR_VERB_DEATH = (
    r"(?:mourir|crever|disparaitre|en finir|m'effacer|m'eteindre|ne plus exister|plus exister|me tuer|me suicider"
    r"|me foutre en l'?air|partir pour (?:de bon|toujours))"
)
_FR_GENERAL: dict[str, list[str]] = {
    _SIGN: [
        # settling one's affairs, giving belongings away
        r"\b(?:mis|mets|remis|range|regle)\w* (?:tous |toutes )?(?:mes|ma|mon) (?:affaires"
        r"|vie) en ordre\b(?! pour (?:le|la|les|l'|mon|ma|mes|un|une)"
        r" (?!fin))",
        r"\b(?:donne|distribue|legue|offert|offre|donner)\w* (?:tous |toutes )?(?:mes|ma|mon) (?:affaires|vetements"
        r"|livres|bijoux|chat|chien|animaux|jeux|objets|biens|lapin)\b(?! (?:a laver|au pressing|a reparer|a garder"
        r"|pour les vacances|le temps|pendant|a (?:la |une |l')?(?:bibliotheque|asso\w*|emmaus|croix|secours"
        r"|ressourcerie|recyclerie)))",
        r"\b(?:fait|ecrit|redige|prepare)\w* (?:mon|un) testament\b",
        # things cancelled or given up "no longer needed after" a day
        r"\b(?:plus|pu|pas) besoin (?:de (?:\w+ ){0,2})?(?:apres|a partir de|des|passe) (?:ce soir|demain"
        r"|dimanche|lundi|mardi|mercredi|jeudi|vendredi|samedi|la semaine prochaine|ce week-?end|la fin du mois)\b",
    ],
    IDEATION: [
        # every tense of the self-directed verbs ("et si je me tuais", "je me fous en l'air")
        r"\bme (?:tuais|tuait|tuerais|tuerait|tuerai|suicidais|suicidait|suiciderais|suiciderai|pendais|pendrais"
        r"|pendrai|flinguerais|supprimerais)\b",
        r"\b(?:me |m')(?:fous|fout|foutrai|foutrais|foutais|foutre) en l'?air\b",
        r"\b(?:veux|voudrais|aimerais|prefererais|souhaite|souhaiterais|envie de|reve de|revais de|besoin de)"
        r" (?:\w+ ){0,2}(?:m'effacer|m'eteindre|ne plus exister|plus exister|ne plus etre la|ne plus etre en vie)\b",
        # "pas envie de vivre": the negation is the expression's own
        r"\b(?:pas|plus|pu|aucune) (?:\w+ )?envie (?:de |d')(?:vivre|exister|continuer a vivre|voir demain)\b",
        # "je serai plus un poids pour longtemps" (the negation is the expression's own)
        r"\b(?:serai|serais|vais etre) (?:plus|pu|pas) (?:un |une |votre |ton |leur )?(?:poids|fardeau|boulet|probleme"
        r"|charge) (?:\w+ ){0,3}(?:pour |tres |bien )?longtemps\b",
        # a wish not to wake up, with prayers and dreams
        r"\b(?:prie|prier|priais|espere|esperais|reve|rever|revais)(?: de| pour)? (?:\w+ )?(?:ne )?(?:pas|plus|jamais)"
        r" (?:me )?reveiller\b",
        # better if I were gone, either order
        r"\b(?:mieux|plus simple|plus facile|un soulagement|plus tranquilles?|plus heureu\w+) (?:\w+ ){0,4}si je"
        r" (?:disparaissais|mourais|n'?etais (?:plus|pu) la|partais pour de bon|etais morte?|n'?existais plus"
        r"|me tuais|crevais)\b",
        r"\bsi je (?:disparaissais|mourais|n'?etais (?:plus|pu) la|etais morte?|n'?existais plus|crevais)"
        r" (?:\w+ ){0,4}(?:mieux|soulagement|plus simple|personne ne)\b",
        r"\b(?:suis|etre|me sens|sentir) de trop (?:sur (?:cette )?terre|dans ce monde|ici-bas|partout|dans la vie"
        r"|dans la vie de tout le monde)\b",
        # death as relief
        r"\b(?:la mort|mourir|partir|disparaitre|en finir) (?:me )?(?:serait|sera|est|c'est|semble|parait|me semble)"
        r" (?:\w+ )?(?:un soulagement|une delivrance|une liberation|la paix|la solution|une solution|mieux|plus simple"
        r"|reposant|la seule)\b",
        # joining the dead
        r"\b(?:veux|voudrais|aimerais|envie de) (?:\w+ )?rejoindre (?:mon|ma|mes)"
        r" (?:pere|mere|papa|maman|mamie|papi|grand-?\w+|frere|soeur|fils|fille|mari|femme|bebe|defunte?)\b"
        r"(?! (?:a|au|aux|chez|en|pour|dans|ce|demain|la-bas|apres|ce soir))",
        r"\brejoindre (?:les anges|le ciel|la-haut|l'au-dela)\b",
        # after I am gone
        r"\bquand je (?:ne )?serai (?:plus de ce monde|morte?)\b",
        # farewell without a farewell word: thanks for everything, then adieu
        r"\bmerci pour tout\b(?:[ ,.!]+\w+){0,6}[ ,.!]+adieu\b",
    ],
    PLAN: [
        # the means turned on oneself, by its place or its gesture
        r"\b(?:me |m')(?:defenestr\w*|precipit\w* (?:du|dans|sous|de)|jet\w* (?:dans (?:le|la) (?:vide|ravin|riviere"
        r"|fleuve|seine|mer|lac)|sous (?:un|le|les|une) \w+|du haut|de la fenetre|par la fenetre|du pont"
        r"|d'un pont))",
        r"\bcorde (?:est )?(?:deja )?(?:prete|accrochee|attachee|nouee|installee)\b",
        r"\bnoeud coulant\b",
        r"\b(?:avaler|avale|avalerai|prendre|prends|prendrai|gober|gobe) (?:tout |toute )?(?:le |la |les |mes"
        r" |ma |mon )(?:\w+ ){0,2}(?:flacon|boite|plaquette|tube)s? (?:entiere?s?|complete?s?)\b",
        r"\b(?:flacon|boite|plaquette|tube)s? (?:entiere?s?|complete?s?) (?:de |d')",
        r"\bj'?(?:avale|avalerai|gobe|gober) tout\b(?! (?:ce|ca|le|la|les|de travers|rond|mon temps|sur moi))",
        r"\b(?:rempli|prepare|fait|constitue)\w* (?:ma |une |mon )?(?:trousse|sac|reserve|stock|pochette) (?:de |d')"
        + _FR_MEDS
        + r"\b",
        r"\b(?:pris|avale|gobe|ingere) (?:\d+|dix|vingt|trente|quarante|cinquante|une poignee de|plein de|toute une"
        r" boite de|toute la boite de) (?:\w+ )?" + _FR_MEDS + r"\b",
        # researching the dose or the height
        r"\bdoses? (?:mortelles?|letales?)\b",
        r"\bcombien (?:de |d')(?:\w+ )?" + _FR_MEDS + r" (?:il faut|faut-il|faudrait|pour)\b",
        r"\bhauteur (?:du|d'un|de la|de l'|d'une) (?:pont|viaduc|immeuble|falaise|tour|parking|barrage)\b",
        r"\b(?:c'est|c) (?:la|ici) que (?:je vais|jvais) (?:le faire|sauter|en finir|me jeter)\b",
    ],
    SELF_HARM: [
        r"\b(?:me |m')(?:pince\w*|mord\w*|griffe\w*|arrache\w*|cogne\w*|tape\w*|frappe\w*|brule\w*|coupe\w*)"
        r" (?:\w+ ){0,4}(?:jusqu'(?:a|au) (?:sang|saigner|avoir (?:des bleus|mal|des marques)|la peau a vif)|expres"
        r"|au sang)\b",
        r"\b(?:me |m')(?:suis |ai )?(?:fait|faire|fais) (?:saigner|des bleus|des marques|des entailles|des coupures"
        r"|des brulures)\b(?! (?:en|au|a la|avec))",
        r"\b(?:pansements?|bandages?) (?:plein |partout |sur |aux |a )?(?:les |mes )?(?:bras|poignets|cuisses)\b",
    ],
    HOPELESSNESS: [
        r"\b(?:ma vie|ca|rien|tout|les choses|mon etat|ma situation|ma maladie) (?:ne )?(?:va|vont|ira|iront|sera"
        r"|seront) (?:jamais|plus jamais) (?:s'arranger|s'ameliorer|aller mieux|mieux|changer|etre mieux)\b",
        r"\b(?:ne |n')?(?:m'en sortirai|m'en sortirais|guerirai) (?:jamais|plus jamais|pas)\b",
        r"\b(?:n')?(?:attends|espere) (?:plus|pu) rien\b",
        r"\bcondamnee? a (?:souffrir|etre malheureuse?|vivre comme ca|rester comme ca)\b",
        r"\b(?:aucune|pas de|plus de) lumiere (?:au bout|nulle part)\b",
        r"\b(?:mon|aucun) avenir (?:est|c'est|sera) (?:\w+ ){0,2}(?:noir|foutu|bouche|fini|sombre|mort)\b",
    ],
    DANGER_OTHERS: [
        r"\b(?:il|elle|ils|elles|tu|vous) (?:vont|va|vas|allez) (?:me le |le )?(?:payer|regretter)"
        r"(?=\s*(?:[,.!?]|$)|,? (?:tous|toutes|cher|pour (?:ce qu|ca|tout ca)|ce qu'(?:il|elle|ils|elles|on) m'))",
        r"\b(?:leur|lui|te|vous) faire (?:regretter|payer)\b",
    ],
    _IDIOM: [
        # things that are not a means: a skipping rope, a washing line, an instrument's strings
        r"\b(?:\w+ )?(?:achete|trouve|pris|prepare)\w* (?:une |la |des |de la )?cordes? (?:a (?:sauter|linge)"
        r"|de (?:guitare|violon|piano|escalade|rappel)|pour (?:le|la|les|mon|ma|mes) (?:sport|tente|linge|bateau"
        r"|guitare|chien|velo|escalade))\b",
        # "à crever" / "à mourir" as an intensifier after a verb of being ("cette chaleur est à crever")
        r"\b(?:\w+ )?(?:est|etait|sera|c'est|c'etait) (?:vraiment |juste )?a (?:crever|mourir)\b",
        r"\bme tu\w* a la tache\b",
        # one word before the verb, so the idiom's span is longer than the threat's inside it
        r"\b(?:\w+ )?(?:tuer|etrangler|buter|defoncer|exploser) (?:mon|ma|cette|ce|la|le) (?:imprimante"
        r"|ordi|ordinateur|telephone"
        r"|tel|portable|reveil|tele|box|wifi|voiture)\b",
    ],
}
for _kind, _extra in _FR_GENERAL.items():
    FR_PATTERNS[_kind].extend(_extra)

_EN_BODY = r"(?:forearms?|arms?|wrists?|thighs?|legs?|skin|stomach|hips?|hands?|knuckles|fists?|head)"
_EN_GENERAL: dict[str, list[str]] = {
    _SIGN: [
        r"\b(?:giving|gave|given|give) (?:away )?(?:all )?(?:of )?my (?:stuff|things|belongings|possessions|clothes"
        r"|books|games)\b(?! (?:to (?:charity|goodwill|the thrift)|for (?:the move|moving)))",
        r"\b(?:made|make|making|wrote|write|writing|written|drew up|drawn up|updated|signed|sorted) (?:out )?(?:a|my)"
        r" (?:last )?will\b",
        r"\b(?:put|putting|got|getting|set|setting|sorted|sorting) (?:all )?my affairs (?:in order|straight)\b",
        r"\b(?:won'?t|wont|will not|wo n't|no longer|do ?n'?t|not) need (?:it|them|any of (?:it|this|that)|my \w+"
        r"|anything)(?: \w+){0,2} after (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|next week"
        r"|the weekend|this month|the \d+\w*)\b",
    ],
    IDEATION: [
        r"\bend(?:ing)? my (?:own )?life\b",
        r"\b(?:death|dying|being dead|not existing|not being alive|not waking up|ending it) (?:sounds|seems|feels"
        r"|would be|would feel|looks|is) (?:like )?(?:a |such a |so )?(?:relief|release|peaceful|better|easier|the only"
        r" (?:way|option|answer)|the answer|freedom)\b",
        r"\b(?:to |want to |just want to |rather )not (?:be alive|exist|be here|be around)\b",
        r"\b(?:want|need|want to get) out (?:for good|of (?:this life|life|this world))\b",
        r"\b(?:i'?m|i am|me) (?:just |only )?(?:taking up space|a waste of (?:space|oxygen|air))\b",
        r"\bdo ?n'?t deserve to (?:live|be alive|exist)\b",
        r"\bif i (?:died|was dead|were dead|was gone|were gone|did ?n'?t wake up|never woke up)(?: \w+){0,3},?"
        r" (?:i'?d|i would|it would|that would|nobody would|no one would|everyone would) (?:be )?(?:glad|happy"
        r"|relieved|better|fine|care|notice)\b",
        r"\b(?:better|lighter|easier|happier|calmer) (?:off )?without me\b",
        r"\b(?:want to|going to) (?:stop existing|cease to exist|not exist|vanish)\b",
        r"\b(?:thank you|thanks) for everything\b(?:[ ,.!]+\w+){0,6}[ ,.!]+(?:goodbye|farewell|bye forever)\b"
        r"(?=\s*[.!]*\s*$)",
    ],
    PLAN: [
        r"\b(?:took|taken|swallowed|downed|popped) (?:\d+|twenty|thirty|forty|fifty|a handful of|handfuls of"
        r"|a bunch of|loads of) (?:of )?(?:my |the |those )?(?:\w+ )?" + _EN_MEDS + r"\b",
        r"\b(?:engine|car) running in (?:the|a|my) (?:closed |shut )?garage\b",
        r"\bhose (?:from|to|on) the exhaust\b",
        r"\b(?:a|the|my) noose\b|\brope is (?:ready|up)\b",
        r"\b(?:won'?t|wont|will not|wo n't|no longer) need (?:it|them|any of (?:it|this|that)|my \w+|anything)"
        r"(?: \w+){0,2} (?:where i'?m going|after (?:tonight|today|tomorrow|this week(?:end)?|i'?m gone))\b",
        r"\bhow (?:many|much) (?:of )?(?:my |the |those )?(?:\w+ )?"
        + _EN_MEDS
        + r"(?: \w+){0,3} (?:(?:it takes|does it"
        r" take|would it take)(?=\s*(?:[,.!?]|$))|to (?:die|overdose|od|kill|not wake up)|would kill|is lethal"
        r"|is fatal)",
        r"\b(?:looking up|looked up|look up|googl\w+|search\w+|research\w+) how (?:many|much) (?:of )?(?:my |the )?"
        r"(?:\w+ )?" + _EN_MEDS + r"\b",
        r"\b(?:lethal|fatal) dose\b",
        r"\b(?:looked|looking|look|searched|searching|googled|googling) (?:up )?how (?:tall|high) (?:the |a |that )?"
        r"(?:bridge|building|parking garage|garage|tower|cliff|roof|overpass)\b",
    ],
    SELF_HARM: [
        r"\b(?:sliced|slice|slicing|slashed|carved|gouged|scratched|scratching|scraped|burned|burnt|cut|cutting|bit"
        r"|bitten|biting|punched|smashed|banged|hit|slammed) (?:\w+ ){0,2}my (?:own )?" + _EN_BODY + r"(?: \w+){0,3}"
        r" (?:until|till|on purpose|to feel|so hard|to bleed)\b",
        r"\b(?:sliced|slashed|carved|gouged) (?:open )?(?:my )?(?:forearms?|arms?|wrists?|thighs?|legs?|skin)\b",
        r"\b(?:bandages?|plasters?|band-?aids?|gauze) (?:\w+ ){0,2}(?:under|on|all over|covering) my (?:sleeves|arms?"
        r"|wrists?|thighs?|legs?)\b",
    ],
    HOPELESSNESS: [
        r"\bnothing (?:left )?to (?:look forward to|live for|hope for)\b",
        r"\bbeyond (?:help|saving|hope)\b",
        r"\b(?:all )?hope is (?:gone|lost|dead)\b|\bout of hope\b",
        r"\bnever (?:going to|gonna|will) get (?:any )?better\b",
        r"\bno light at the end\b",
    ],
    DANGER_OTHERS: [
        r"\b(?:kill|killing|stab|stabbing|strangle|strangling|beat up|beating up|punch|punching|smash|murder"
        r"|murdering) (?:my|that|this|the) (?:\w+ )?(?:landlord|boss|manager|teacher|neighbou?r|ex"
        r"|roommate|flatmate|coworker|colleague|husband|wife|partner|brother|sister|mom|mum|dad|mother|father|son"
        r"|daughter|kid|baby|stepdad|stepmom|friend|doctor|nurse|bastard|bitch|asshole|prick|guy|girl|man|woman)\b",
        r"\b(?:they|he|she)(?:'ll|'re| will| are| is|'s)? (?:all )?(?:going to |gonna )?(?:be sorry\b(?! (?:to|that"
        r"|they|he|she|you|i|for))|pay for (?:this|what)|regret (?:this|it|what|the day))",
    ],
    _IDIOM: [
        # feelings, texts and messages: "hurt my friend's feelings", "shoot my friend a text"
        r"\b(?:\w+ )?(?:hurt|hurting|hurts) (?:\w+ ){0,2}(?:\w+'s |\w+s' )?feelings\b",
        r"\b(?:\w+ )?(?:shoot|shot|shooting|hit|hitting|drop|dropped|send|sent) (?:him|her|them|you|me|my \w+|\w+)"
        r" (?:a |an )?(?:quick |short )?(?:text|message|msg|email|e-mail|dm|line|note|pm|reply|call)\b",
        r"\b(?:\w+ )?(?:hit|hitting) (?:him|her|them|you|my \w+) up\b",
        # a knock on the head from the furniture: "banged my head on the cupboard"
        r"\b(?:\w+ )?bang(?:ed|ing|s)? my head (?:on|against|into|off) (?:the|a|my) (?:\w+ )?(?:cupboard|cabinet"
        r"|door|shelf|table|ceiling|beam|car|desk|window|fridge|bed|bunk|frame|corner|sink|tap|counter|doorframe"
        r"|shower|bus|stairs)\b",
        # one word before the verb, so the idiom's span is longer than the threat's inside it
        r"\b(?:\w+ )?(?:kill|strangle|murder|smash|punch|stab|shoot) (?:my|the|this|that) (?:printer"
        r"|laptop|computer|pc|phone"
        r"|alarm(?: clock)?|tv|car|wifi|router|plants?|vibe|buzz|mood|diet|headache|hangover|thirst|appetite)\b",
        r"\b(?:could|would|'d) (?:just )?die for (?:a|an|some|that|this|one)\b",
        r"\b(?:hungry|starving|tired|bored|embarrassed|happy|excited|cold|hot|full)\w* (?:that )?i could (?:just )?"
        r"die\b",
    ],
}
for _kind, _extra in _EN_GENERAL.items():
    EN_PATTERNS[_kind].extend(_extra)

EN_NEGATION = [
    "no",
    "not",
    "n't",
    "never",
    "dont",
    "didnt",
    "didn't",
    "wont",
    "denies",
    "denied",
    "without",
    "no more",
    "nor",
    "neither",
    "free of",
    "im not",
    "nothing",
    "zero",
    "0",
]
EN_NEGATION_PSEUDO = ["no doubt", "not only", "no change", "not sure"]
EN_HYPOTHESIS = [
    "if",
    "in case",
    "scared of",
    "afraid",
    "afraid of",
    "worried that",
    "can this",
    "could this",
    "might",
    "may cause",
    "cause",
    "wants to know",
    "whether",
    "should i",
    "?",
]
EN_FAMILY = [
    "my sister",
    "my brother",
    "my mum",
    "my mom",
    "my mother",
    "my father",
    "my dad",
    "my son",
    "my daughter",
    "my friend",
    "my best friend",
    "my boyfriend",
    "my girlfriend",
    "my husband",
    "my wife",
    "my partner",
    "my cousin",
    "my uncle",
    "my aunt",
    "my grandma",
    "my grandpa",
    "coworker",
    "colleague",
    "neighbour",
    "neighbor",
    "she is",
    "he is",
]
EN_REPORTED = [
    "told me",
    "tells me",
    "said",
    "says",
    "asked",
    "asked me",
    "asked if",
    "documentary",
    "movie",
    "film",
    "news",
    "warned",
    "warned me",
    "side effect",
]
EN_MEDIA = (
    "documentary",
    "movie",
    "film",
    "news",
    "sang",
    "sings",
    "singing",
    "song",
    "lyrics",
    "podcast",
    "article",
    "book",
    "novel",
    "episode",
    "character",
    "series",
    "the show",
    "this show",
    "a show",
    "tv show",
    "the play",
    "the game",
)
EN_REPORTED += [cue for cue in EN_MEDIA if cue not in EN_REPORTED]
EN_HISTORY = [
    "years ago",
    "year ago",
    "when i was",
    "back in",
    "in the past",
    "last year",
    "used to",
    "history of",
    "before my",
    "as a teenager",
    "that's over",
    "thats over",
    "not anymore",
    "years back",
    "as a kid",
    "as a child",
    "growing up",
    "last winter",
    "last summer",
    "last spring",
    "last fall",
    "last autumn",
    "last month",
    "as a teen",
    "in my teens",
    "in high school",
    "in middle school",
    "in junior high",
    "how far i've come",
    "come a long way",
]
EN_TERMINATION = [
    ",",
    ";",
    ".",
    "but",
    "however",
    "although",
    "though",
    "because",
    "so",
    "and",
    "when",
    "while",
    "which",
    "who",
    "that",
    "(",
    ")",
    '"',
    "...",
]
EN_INTENT = re.compile(
    r"\b(?:i'?m going to|i am going to|im going to|going to|gonna|i will|i'll|i ll|decided|planned|plan to)\b"
    r"|\b(?:tonight|tonite|2nite|tmrw|tomorrow|this weekend|on saturday|on sunday)\b"
)

_FIRST_PERSON = {
    "fr": re.compile(r"\b(?:je|j'|j|jveux|jvais|jpense|jme|jsuis|me|m'|moi|mes jours)\b|^j"),
    "en": re.compile(r"\b(?:i|i'm|im|me|myself|my life)\b"),
}


# --- SMS spellings and typos, before matching (branch risk16) ----------------------------------
# Patients write on a phone: "jveux", "chui", "g" for "j'ai", "kms", no accents, a letter missed
# or doubled. Rather than every pattern spelling every variant, each word the matcher reads is
# first respelled: SMS forms by a table (whole words only; "jpp" stays as written: "je n'en peux
# plus" would bring a negation cue), and a few risk words with one letter missing, extra, wrong
# or swapped ("suicde", "myslef", "scarifiee") by their one-deletion neighbourhood. The same
# respelling runs on the plain text the literal pre-check reads (`_plain_text`), so the two
# agree. Words an edit away from ordinary words ("courir" / "mourir", "overdone" / "overdose")
# are not in the fuzzy list, and a fuzzy word must share its first letter and be 6 letters or more.
_FR_SMS = {
    **dict.fromkeys(("jveux", "jveu", "jeveux", "jvx", "jve", "jvoeux"), "je veux"),
    **dict.fromkeys(("jvais", "jvai", "jeva"), "je vais"),
    **dict.fromkeys(("chui", "chuis", "jsuis", "jsui", "jss", "jsus", "chu"), "je suis"),
    **dict.fromkeys(("jpense", "jpenc"), "je pense"),
    **dict.fromkeys(("jpeux", "jpeu"), "je peux"),
    **dict.fromkeys(("jsais", "jsai"), "je sais"),
    **dict.fromkeys(("jvois", "jvoi"), "je vois"),
    **dict.fromkeys(("jme", "jm"), "je me"),
    **dict.fromkeys(("jmen", "jmenn"), "je m'en"),
    **dict.fromkeys(("jaimerais", "jaimerai", "jaimerait"), "j'aimerais"),
    **dict.fromkeys(("jvoudrais", "jvoudrai", "jvoudrait"), "je voudrais"),
    **dict.fromkeys(("jai", "g", "jaii"), "j'ai"),
    **dict.fromkeys(("jen",), "j'en"),
    **dict.fromkeys(("jy",), "j'y"),
    **dict.fromkeys(
        (
            "jetais",
            "jetai",
        ),
        "j'etais",
    ),
    **dict.fromkeys(("cest", "c"), "c'est"),
    **dict.fromkeys(("ct", "cetait"), "c'etait"),
    **dict.fromkeys(("ya", "yen"), "il y a"),
    **dict.fromkeys(("tt", "tte", "tou"), "tout"),
    **dict.fromkeys(("ttes",), "toutes"),
    **dict.fromkeys(("tjr", "tjrs", "tjs", "toujour"), "toujours"),
    **dict.fromkeys(("bcp", "bcq"), "beaucoup"),
    **dict.fromkeys(("pk", "pq", "pourkoi"), "pourquoi"),
    **dict.fromkeys(("qd", "kan", "kand"), "quand"),
    **dict.fromkeys(("mtn", "mnt", "maintenan"), "maintenant"),
    **dict.fromkeys(("auj", "ajd", "ojd", "aujourdhui"), "aujourd'hui"),
    **dict.fromkeys(("jamai",), "jamais"),
    **dict.fromkeys(("envi", "envit", "anvie"), "envie"),
    **dict.fromkeys(("ke", "kue"), "que"),
    **dict.fromkeys(("koi", "kwa", "quoa"), "quoi"),
    **dict.fromkeys(("pr",), "pour"),
    **dict.fromkeys(("ds",), "dans"),
    **dict.fromkeys(("dla",), "de la"),
    **dict.fromkeys(("mourrir", "mourire", "mouri", "mourrire"), "mourir"),
    **dict.fromkeys(("medoc",), "medocs"),
    **dict.fromkeys(("foutr",), "foutre"),
    **dict.fromkeys(("lair",), "l'air"),
}
_EN_SMS = {
    **dict.fromkeys(("wanna", "wana", "wannna"), "want to"),
    **dict.fromkeys(("kms", "kmsl"), "kill myself"),
    **dict.fromkeys(("unalive", "unalived", "unaliving"), "kill"),
    **dict.fromkeys(("u",), "you"),
    **dict.fromkeys(("ur",), "your"),
    **dict.fromkeys(("rn",), "right now"),
    **dict.fromkeys(("tn", "2nite", "tonite", "2night"), "tonight"),
    **dict.fromkeys(("tmrw", "tmr", "2moro", "2morrow", "tomoz"), "tomorrow"),
    **dict.fromkeys(("ded", "dedd"), "dead"),
    **dict.fromkeys(("dieee", "diee"), "die"),
    **dict.fromkeys(("kil",), "kill"),
    **dict.fromkeys(("pils", "pillz"), "pills"),
    **dict.fromkeys(("bc", "cuz", "coz", "cos", "bcuz"), "because"),
    **dict.fromkeys(("tho",), "though"),
    **dict.fromkeys(("ppl",), "people"),
    **dict.fromkeys(("nvm",), "never mind"),
    **dict.fromkeys(("abt",), "about"),
    **dict.fromkeys(("any1", "ne1"), "anyone"),
    **dict.fromkeys(("no1",), "no one"),
    **dict.fromkeys(("every1",), "everyone"),
}
_FUZZY_WORDS = {
    "fr": (
        "suicide",
        "suicider",
        "suicidaire",
        "suicidaires",
        "scarifie",
        "scarifiee",
        "scarifier",
        "scarification",
        "automutilation",
        "desespoir",
        "desesperee",
        "desespere",
        "mutiler",
        "taillader",
    ),
    "en": ("suicide", "suicidal", "myself", "hopeless", "worthless", "overdosed", "selfharm", "unalive"),
}


def _one_deletion(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _fuzzy_index(words: Iterable[str]) -> tuple[frozenset[str], dict[str, str]]:
    exact = frozenset(words)
    index: dict[str, str] = {}
    for word in words:
        for variant in _one_deletion(word):
            index.setdefault(variant, word)
    return exact, index


_FUZZY = {language: _fuzzy_index(words) for language, words in _FUZZY_WORDS.items()}
# A near miss keeps the first two letters of its word ("suicde", not "sacrifie" for "scarifie").
_FUZZY_PREFIXES = {language: frozenset(w[:2] for w in words) for language, words in _FUZZY_WORDS.items()}
_SMS = {"fr": _FR_SMS, "en": _EN_SMS}


def _respell(word: str, language: str) -> str | None:
    """The word as the lists spell it, or None when it is already (most words)."""
    sms = _SMS[language].get(word)
    if sms is not None:
        return sms
    if len(word) < 6 or word[:2] not in _FUZZY_PREFIXES[language] or not word.isalpha():
        return None
    exact, index = _FUZZY[language]
    if word in exact:
        return None
    # a letter missing ("suicde"), wrong or swapped ("myslef"), or one too many ("suicidde")
    near = index.get(word)
    if near is None and word[:-1] in exact:
        near = word[:-1]
    if near is None:
        for variant in _one_deletion(word):
            near = variant if variant in exact else index.get(variant)
            if near is not None:
                break
    if near is None or near[0] != word[0] or abs(len(near) - len(word)) > 1:
        return None
    return near


# The words `_respell` may change, as the tokenizers cut them (whole words: letters, digits and
# the apostrophes inside): an SMS form, or a word of 6 letters or more starting as a fuzzy word.
_RESPELL_WORD = {
    language: re.compile(
        r"(?<![\w'])(?:"
        + "|".join(sorted(map(re.escape, _SMS[language]), key=len, reverse=True))
        + r"|(?:"
        + "|".join(sorted(_FUZZY_PREFIXES[language]))
        + r")\w{4,})(?![\w'])"
    )
    for language in ("fr", "en")
}


def _respell_text(plain: str, language: str) -> str:
    def one(match: re.Match[str]) -> str:
        word = match.group(0)
        return _respell(word, language) or word

    return _RESPELL_WORD[language].sub(one, plain)


class _Respell:
    """After the normaliser, before the matcher: each token's NORM respelled (`_respell`); for
    English, whose qualifiers read LOWER, NORM is set to the lower case first (spaCy's own norms,
    "n't" → "not", would otherwise differ from what the pre-check reads)."""

    def __init__(self, language: str) -> None:
        self.language = language

    def __call__(self, doc: Any) -> Any:
        language = self.language
        for token in doc:
            norm = token.lower_ if language == "en" else token.norm_
            respelled = _respell(norm, language)
            if respelled is not None:
                token.norm_ = respelled
            elif language == "en":
                token.norm_ = norm
        return doc


# --- building ------------------------------------------------------------------------------------


# The qualifiers conjugate their French cue verbs, and an empty list means *every* French verb
# (edsnlp.utils.resources.get_verbs): English gets one French verb whose forms ("nie", "nié",
# "niant") never occur in an English note.
_NO_VERBS = ["nier"]


_FR_NUMBERS = "deux trois quatre cinq six sept huit neuf dix quinze vingt".split()


def _fr_time_ago(year: int) -> list[str]:
    """ "il y a 3 ans", "ça fait dix ans", "en 2015": cues of the past. Dates are cues here rather
    than eds.dates' parsed dates: that pipe reads the whole note (150 ms on 2,000 characters;
    its restriction to the sentences of the matches iterates every token, edsnlp 0.23) for
    what a list of phrases says."""
    amounts = [*map(str, range(1, 61)), "un", *_FR_NUMBERS]
    leads = ("il y a", "y a", "ya", "ca fait")
    ago = [f"{lead} {n} {unit}" for lead in leads for n in amounts for unit in ("ans", "an")]
    months = [f"il y a {n} mois" for n in [*map(str, range(2, 24)), *_FR_NUMBERS]]
    ages = [f"a {n} ans" for n in range(5, 61)]  # "à 16 ans je me scarifiais"
    return [
        *ago,
        *months,
        *ages,
        "l'an dernier",
        "l'an passe",
        *_years_before(year, ("en", "depuis", "date de", "datent de", "de")),
    ]


def _years_before(year: int, prefixes: Iterable[str]) -> list[str]:
    return [f"{prefix} {y}" for prefix in prefixes for y in range(1960, year)]


def _add_respell(nlp: Any, language: str) -> None:
    """The `respell` pipe, declared as writing NORM (edsnlp reads a pipe's metadata when the later
    pipes build their cue patterns, which then go through it too)."""
    from edsnlp.core.registries import PIPE_META, FactoryMeta

    pipe = _Respell(language)
    nlp.add_pipe(pipe, name="respell")
    PIPE_META[pipe] = FactoryMeta(assigns=["token.norm"], requires=[], retokenizes=False, default_config={})


def _build(language: str) -> Any:
    import edsnlp
    import edsnlp.pipes as eds
    from edsnlp.pipes.qualifiers.family.patterns import family as fr_family
    from edsnlp.pipes.qualifiers.history.patterns import history as fr_history
    from edsnlp.pipes.qualifiers.hypothesis.patterns import preceding as fr_hyp_preceding
    from edsnlp.pipes.qualifiers.hypothesis.patterns import pseudo as fr_hyp_pseudo
    from edsnlp.pipes.qualifiers.negation.patterns import preceding as fr_neg_preceding
    from edsnlp.pipes.qualifiers.reported_speech.patterns import preceding as fr_rs_preceding
    from edsnlp.pipes.terminations import termination as fr_termination

    year = datetime.now().year  # noqa: DTZ005 - only bounds the list of past years ("in 2015")
    if language == "fr":
        nlp = edsnlp.blank("eds")
        nlp.add_pipe(eds.sentences())
        # No pollution pass: a patient's note has no scanner headers or tables to skip.
        nlp.add_pipe(eds.normalizer(pollution=False))
        _add_respell(nlp, "fr")
        nlp.add_pipe(eds.matcher(regex=FR_PATTERNS, attr="NORM", ignore_excluded=False))
        nlp.add_pipe(
            eds.negation(
                preceding=[*fr_neg_preceding, *FR_NEGATION_EXTRA], preceding_regex=FR_NEGATION_REGEX, explain=True
            )
        )
        nlp.add_pipe(
            eds.hypothesis(
                pseudo=[*fr_hyp_pseudo, *FR_HYPOTHESIS_PSEUDO],
                preceding=[*fr_hyp_preceding, *FR_HYPOTHESIS_EXTRA],
                # "que" ends a scope in EDS-NLP's list, which cut "j'ai peur que ..." from its cue.
                termination=[t for t in fr_termination if t not in ("que", "qui")],
                explain=True,
            )
        )
        nlp.add_pipe(eds.family(family=[*fr_family, *FR_FAMILY_EXTRA], use_sections=False, explain=True))
        nlp.add_pipe(eds.reported_speech(preceding=[*fr_rs_preceding, *FR_REPORTED_EXTRA], explain=True))
        nlp.add_pipe(eds.history(history=[*fr_history, *FR_HISTORY_EXTRA, *_fr_time_ago(year)], explain=True))
        return nlp
    nlp = edsnlp.blank("en")
    nlp.add_pipe(eds.sentences())
    nlp.add_pipe(eds.normalizer(accents=False, pollution=False))
    _add_respell(nlp, "en")
    nlp.add_pipe(eds.matcher(regex=EN_PATTERNS, attr="NORM", ignore_excluded=False))
    nlp.add_pipe(
        eds.negation(
            attr="LOWER",
            pseudo=EN_NEGATION_PSEUDO,
            preceding=EN_NEGATION,
            preceding_regex=[],
            following=[],
            verbs=_NO_VERBS,
            termination=EN_TERMINATION,
            explain=True,
        )
    )
    nlp.add_pipe(
        eds.hypothesis(
            attr="LOWER",
            pseudo=[],
            preceding=EN_HYPOTHESIS,
            following=[],
            verbs_eds=_NO_VERBS,
            verbs_hyp=_NO_VERBS,
            termination=EN_TERMINATION,
            explain=True,
        )
    )
    nlp.add_pipe(
        eds.family(attr="LOWER", family=EN_FAMILY, termination=EN_TERMINATION, use_sections=False, explain=True)
    )
    nlp.add_pipe(
        eds.reported_speech(
            attr="LOWER",
            preceding=EN_REPORTED,
            following=[],
            quotation=[],
            verbs=_NO_VERBS,
            pseudo=[],
            explain=True,
        )
    )
    nlp.add_pipe(
        eds.history(
            attr="LOWER",
            history=[*EN_HISTORY, *_years_before(year - 1, ("in", "back in", "since"))],
            termination=EN_TERMINATION,
            explain=True,
        )
    )
    return nlp


_built: dict[str, Any] | None = None
_building = threading.Lock()


def pipelines() -> dict[str, Any]:
    """The French and English pipelines, built once per process (a few seconds the first time:
    the servers build them at start-up, config.asgi and config.wsgi)."""
    global _built
    if _built is None:
        with _building:
            if _built is None:
                _built = {"fr": _build("fr"), "en": _build("en")}
    return _built


# --- language ----------------------------------------------------------------------------------

# Words only one of the two languages uses ("me", "a" and "on" are both's).
_FR_WORDS = frozenset(
    "je j jai j'ai jsuis jveux jvais jpense jme jvois g c ma mon mes le la les un une des de du et est pas plus "
    "ne que qui suis ai avec pour dans sur ce cette ca ça c'est tout rien envie mal vie mort aujourd'hui hier "
    "soir en au aux quoi veux vais pense voudrais moi il elle nous vous ils sont fait tres trop bien mais ou si "
    "etre être encore toujours jamais parce".split()
)
_EN_WORDS = frozenset(
    "i i'm im my the an and is are was not no to of in for with this that it it's myself want wanna gonna "
    "feel today tonight yesterday dont don't can't cant have been about watched just what so be do did got get "
    "can will would all again really like up out at you he she they we his her him them".split()
)
_WORD = re.compile(r"[a-zàâçéèêëîïôûùüÿœ']+")


def languages_of(text: str) -> tuple[str, ...]:
    """Which pipeline(s) read a note: by its function words, French on a tie with a French
    mark, both when nothing tells (a short note such as "kms" or "envie de crever")."""
    words = _WORD.findall(text.lower())
    fr = sum(w in _FR_WORDS for w in words)
    en = sum(w in _EN_WORDS for w in words)
    if fr > en:
        return ("fr",)
    if en > fr:
        return ("en",)
    return ("fr", "en")


# --- detection ---------------------------------------------------------------------------------


def _applies(kind: str, qualifier: str) -> bool:
    return qualifier not in _NOT_APPLIED.get(kind, set())


def _first_person(language: str, text: str) -> bool:
    return bool(_FIRST_PERSON[language].search(text))


# --- what the qualifiers' cues say (branch rleval) ---------------------------------------------
# EDS-NLP reports *that* a cue precedes an expression; these rules read *which* cue, where the
# independent set showed the qualifiers excluding what the patient said of themselves.

# A first-person subject ("je", "j'", SMS "jveux", "g"; "i", "im").
_SUBJECT = {
    "fr": re.compile(r"\b(?:je|jai|jme|jsuis|jveux|jvais|jpense|jpeux|chui)\b|\bj'|\bj\b|(?:^|\s)g\s"),
    "en": re.compile(r"\b(?:i|im|ive|id)\b|\bi'"),
}
# Words that make a following clause the object of the negated one ("je ne pense pas que je ...").
_LINK = {
    "fr": re.compile(r"\b(?:que|qu|si|pense|pensais|crois|sais|dis|dit|trouve|sure?|certaine?)\b"),
    "en": re.compile(r"\b(?:that|if|whether|think|thought|believe|know|say|said|sure|mean|guess|feel)\b"),
}
# The second half of a French negation the expression starts with ("je n'ai aucun avenir").
_FR_NEGATION_TAILS = frozenset({"pas", "plus", "pu", "aucun", "aucune", "jamais", "rien", "personne"})
_VOICES = re.compile(r"\b(?:voix|voices?)\b")
_ADDRESSED_TO_ME = re.compile(r"^(?:m'|m |told me|tells me|asked me|asked if)")
_JOKE = re.compile(
    r"\U0001f602|\U0001f923|\U0001f606|\U0001f605|\U0001f639"  # laughing faces
    r"|\b(?:lol|lool|mdr|ptdr|xd|haha\w*|hihi\w*|jk|lmao|lmfao|rofl)\b"
)
# A laugh turns a threat or a sigh into hyperbole ("je vais tuer ma soeur 😂"); it never turns a wish
# to die into one ("i just wanna die lol not even joking").
_JOKING_KINDS = frozenset({DANGER_OTHERS, HOPELESSNESS})
_MEDIA_VERBS = {
    "fr": frozenset("regarde regardé vu revu ecoute écouté lu relu voir lire ecouter chante chanté".split()),
    "en": frozenset("watched watching watch saw seen listened listening read reading".split()),
}


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def _clause_before(doc: Any, sentence: Any, position: int) -> str:
    return re.split(r"[,;]", doc[sentence.start : position].text.lower())[-1]


def _said_by_someone_else(doc: Any, ent: Any, language: str) -> bool:
    """Reported speech holds when a cue reports someone else's words or a work of fiction or the
    news; a cue whose subject is the patient ("je me suis dit que", "j'ai dit à ma mère que je
    voulais mourir", "je veux") or hallucinated voices ("des voix qui me disent de") does not."""
    media = FR_MEDIA if language == "fr" else EN_MEDIA
    for cue in ent._.reported_speech_cues:
        said = _fold(cue.text)
        if said in media:
            return True
        clause = _clause_before(doc, ent.sent, cue.start)
        if _VOICES.search(clause):
            continue
        if _ADDRESSED_TO_ME.match(said):
            return True
        if not clause.strip() or _SUBJECT[language].search(clause):
            continue
        return True
    return False


def _denied(doc: Any, ent: Any, language: str) -> bool:
    """Negation holds unless its only cues are the first half of the expression's own negation
    ("je n'ai aucun avenir") or end before a new clause of the patient's ("la vie a plus de sens je
    veux mourir"; but "je ne pense pas que je veuille mourir" stays denied)."""
    first = _fold(ent[0].text)
    for cue in ent._.negation_cues:
        if language == "fr" and _fold(cue.text) in ("ne", "n'", "n") and first in _FR_NEGATION_TAILS:
            continue
        between = doc[cue.end : ent.start].text.lower().strip()
        subject = _SUBJECT[language].search(between)
        # "jamais je ne ..." keeps its cue: the subject must follow words of the negated clause.
        if subject and subject.start() > 0 and not _LINK[language].search(between):
            continue
        return True
    return False


# "if I had a gun I'd use it on myself": a condition on having the means is no hypothesis.
_MEANS_CONDITION = {
    "fr": re.compile(
        r"^\s*j'?\s?(?:avais|avait|trouvais|trouvait) (?:un |une |le |la |des |assez de |mes |de quoi )?"
        r"(?:fusil|arme|flingue|corde|cachets|medocs|medicaments|couteau|pistolet|lame)"
    ),
    "en": re.compile(
        r"^\s*i (?:had|could get|could find|owned|still had) (?:a |the |some |enough |my )?"
        r"(?:gun|rope|pills|knife|weapon|razor|meds|blade)"
    ),
}


# "si j'avais le courage je me foutrais en l'air": the courage to act is no hypothesis either
# (branch risk16), nor a question the patient asks themselves ("et si je me tuais aujourd'hui",
# "what if i just ended it").
_COURAGE_CONDITION = {
    "fr": re.compile(r"^\s*j'?\s?(?:avais|avait|trouvais) (?:le |la |assez de )?(?:courage|force|cran)\b"),
    "en": re.compile(r"^\s*i (?:had|could find|found|get) (?:the )?(?:courage|guts|nerve|strength|balls)\b"),
}
_SELF_QUESTION = {
    "fr": re.compile(r"(?:^|[\s,:;.!?])et$"),
    "en": re.compile(r"(?:^|[\s,:;.!?])what$"),
}


# "ils seraient mieux sans moi", "they'd be happier without me": the conditional is the
# expression's own grammar (a burden the patient feels now), not a supposition.
_BURDEN_CONDITIONAL = re.compile(
    r"\b(?:mieux|plus heureu\w*|soulage\w*) sans moi\b|\b(?:better|happier) (?:off )?without me\b"
)


def _supposed(doc: Any, ent: Any, language: str) -> bool:
    if _BURDEN_CONDITIONAL.search(_fold(ent.text)) and not any(
        _fold(cue.text) in ("si", "if") for cue in ent._.hypothesis_cues
    ):
        return False
    for cue in ent._.hypothesis_cues:
        if _fold(cue.text) in ("si", "if"):
            between = _fold(doc[cue.end : ent.start].text)
            if _MEANS_CONDITION[language].match(between) or _COURAGE_CONDITION[language].match(between):
                continue
            before = _fold(doc[ent.sent.start : cue.start].text).strip()
            if _SELF_QUESTION[language].search(before) and _first_person(language, ent.text.lower()):
                continue
            if cue.start >= ent.start:  # the condition is the expression's own ("if i died tonight i'd be glad")
                continue
        return True
    return False


# "je veux pas mourir", "i don't wanna die": a denial between the wish and the death, inside the
# span (the negation qualifier reads the words before it).
_DENIED_WISH = re.compile(
    r"\b(?:veux|voulais|voudrais|ai envie|aimerais|want|wanna|wish) (?:pas|plus jamais|jamais|not|never) "
    r"(?:de |d'|to )?(?:mourir|crever|me tuer|me suicider|en finir|disparaitre|die|kill myself|end it)\b"
)


def _is_a_title(doc: Any, ent: Any, language: str) -> bool:
    """A capitalised expression inside a sentence, just after "watched" or "écouté": a film's or a
    song's title ("j'ai regardé Suicide Squad")."""
    if ent.start == ent.sent.start or not ent.text[:1].isupper():
        return False
    before = doc[max(ent.sent.start, ent.start - 4) : ent.start]
    verbs = _MEDIA_VERBS[language]
    return any(_fold(token.text) in verbs or token.text.lower() in verbs for token in before)


# --- ordinary life (branch risk16b: a probe of 140 ordinary sentences) ---------------------------
# A warning sign in an ordinary errand: the gift names its reason or its destination ("elle adore
# lire", "old clothes", "to the charity shop", "for her birthday"), the will or the affairs their
# professional or their occasion ("chez le notaire", "with the lawyer", "for the tax return"), the
# farewell its workplace or its journey ("mon dernier jour au magasin", "my colleagues").
_ORDINARY_SIGN = re.compile(
    r"\b(?:vieux|vieilles|anciens|anciennes|old|winter|summer|baby|outgrown|trop (?:petit|grand)\w*|(?:does|do)"
    r" ?n'?t fit|plus a (?:ma|sa) taille|charity|thrift|goodwill|emmaus|croix|secours|bibliotheque|library"
    r"|anniversaire|birthday|noel|christmas|adore|adores|loves?|aime bien|likes?|desencombr\w*|declutter\w*"
    r"|vide-?grenier|car boot|yard sale|garage sale|leboncoin|vinted|ebay|vendu|sold|demenag\w*|moving|the move"
    r"|notaire|avocat|lawyer|solicitor|attorney|banque|bank|assurance|insurance|impots?|tax|mutuelle|prevu"
    r"|planned|insisted|a insiste|collegues?|colleagues?|coworkers?|equipe|team|dernier jour|last day|service"
    r"|boulot|job|magasin|stage|internship|vacances|holiday|vacation|voyage|trip|classe|class|school|ecole)\b"
)
# Self-harm words in an accident or a skin complaint: "banged my head on the cupboard door again,
# ouch", "je me gratte jusqu'au sang, mon eczéma", "scratched it until it bled, eczema again";
# never when the sentence says it was on purpose.
_ACCIDENT_OR_SKIN = re.compile(
    r"\b(?:ouch|oops|aie|ouille|by accident|accidentally|accidentellement|par accident|sans (?:faire )?expres"
    r"|en tombant|falling (?:off|down|over)|fell (?:off|down|over)|slipped|glisse|eczema|psoriasis|urticaire|hives|rash"
    r"|itchy|itchiness|itches|demangeaisons?"
    r"|allergi\w*|piqures?|moustiques?|mosquito\w*|bites|varicelle|chickenpox|boutons?|dermato\w*)\b"
)
# Words that are self-harm whatever happened around them.
_SELF_HARM_ITSELF = re.compile(r"scarif|automutil|self[- ]?harm|mutil|taillad|entaille|\bs/?h\b")
_ON_PURPOSE = re.compile(
    r"\b(?:on purpose|deliberately|intentionally|expres|volontairement|to feel|pour (?:sentir|me punir))\b"
)
# A past wish or act the patient says is over, in a later clause: "quand j'avais 16 ans je voulais
# mourir, plus maintenant", "à l'époque je me scarifiais mais c'est fini depuis longtemps", "in high
# school i cut myself but that's long over". Only when the expression's clause is in a past tense
# ("je ne veux plus vivre, plus maintenant" stays: its verb is present).
_OVER_NOW = re.compile(
    r"^\W*(?:(?:mais|but|and|et)\s+)?(?:(?:c'est|c|ca|that'?s|that is|it'?s|it is)\s+)?(?:plus maintenant|plus du tout"
    r"|(?:bien |fini )?(?:fini|termine)(?= depuis|\s*$|\s*[.!,;])|derriere moi|du passe"
    r"|(?:long |all )?over(?= now|\s*$|\s*[.!,;])"
    r"|not anymore|not any more|behind me|in the past|done with that)"
)
_PAST_TENSE = {
    "fr": re.compile(r"\b(?:\w+(?:ais|ait|aient)|(?:j'?ai|j'avais|je suis|j'etais|me suis) \w+(?:e|i|u|is|it)e?s?)\b"),
    "en": re.compile(r"\b(?:wanted|used to|was|were|did|had|tried|\w+ed|cut|hurt|burnt)\b"),
}


def _over_now(doc: Any, ent: Any, language: str) -> bool:
    after = _fold(doc[ent.end : ent.sent.end].text)
    clause = _fold(doc[ent.sent.start : ent.end].text)
    if not re.match(r"^[^,;]*[,;]|^[^,;]*\b(?:mais|but)\b", after):
        return False
    tail = re.split(r"[,;]|\bmais\b|\bbut\b", after, maxsplit=1)[1]
    return bool(_OVER_NOW.match(tail)) and bool(_PAST_TENSE[language].search(clause))


def _candidates(doc: Any, language: str, offset: int = 0) -> list[Candidate]:
    intent_re = FR_INTENT if language == "fr" else EN_INTENT
    out: list[Candidate] = []
    for ent in doc.ents:
        label = ent.label_
        if label == _IDIOM:
            continue
        sentence = ent.sent
        excluded = []
        for qualifier in _QUALIFIERS:
            if not getattr(ent._, qualifier, False) or not _applies(label, qualifier):
                continue
            if qualifier == "family" and (
                _first_person(language, ent.text.lower())
                or _first_person(language, doc[sentence.start : ent.start].text.lower().split(",")[-1])
            ):
                # "je vais me tuer, j'ai fait mes adieux à mes enfants": the cue names someone,
                # the patient speaks of themselves.
                continue
            if qualifier == "reported_speech" and not _said_by_someone_else(doc, ent, language):
                continue
            if qualifier == "negation" and not _denied(doc, ent, language):
                continue
            if qualifier == "hypothesis" and not _supposed(doc, ent, language):
                continue
            excluded.append(qualifier)
        if label == IDEATION and _DENIED_WISH.search(_fold(ent.text)):
            excluded.append("negation")
        if label in _JOKING_KINDS and _JOKE.search(sentence.text.lower()):
            excluded.append("joke")
        if _is_a_title(doc, ent, language):
            excluded.append("title")
        folded_sentence = _fold(sentence.text)
        if label == _SIGN and _ORDINARY_SIGN.search(folded_sentence):
            excluded.append("ordinary")
        if (
            label == SELF_HARM
            and _ACCIDENT_OR_SKIN.search(folded_sentence)
            and not _ON_PURPOSE.search(folded_sentence)
            and not _SELF_HARM_ITSELF.search(_fold(ent.text))
        ):
            excluded.append("accident")
        if "history" not in excluded and label != DANGER_OTHERS and _over_now(doc, ent, language):
            excluded.append("history")
        kind = label
        if label == _SIGN:
            kind, severity = PLAN, HIGH
        elif label in (IDEATION, SELF_HARM, DANGER_OTHERS):
            before = doc[max(sentence.start, ent.start - 4) : ent.start].text.lower()
            after = doc[ent.end : sentence.end].text.lower()
            if intent_re.search(before) or intent_re.search(after) or intent_re.search(ent.text.lower()):
                kind = PLAN if label in (IDEATION, SELF_HARM) else DANGER_OTHERS
                severity = CRITICAL
            else:
                severity = _SEVERITY[label]
        else:
            severity = _SEVERITY[label]
        out.append(
            Candidate(
                match=RiskMatch(
                    kind=kind,
                    severity=severity,
                    language=language,
                    expression=ent.text,
                    start=offset + ent.start_char,
                    end=offset + ent.end_char,
                    sentence=sentence.text,
                    sentence_start=offset + sentence.start_char,
                    sentence_end=offset + sentence.end_char,
                ),
                excluded_by=tuple(excluded),
            )
        )
    return out


def _any_expression(patterns: dict[str, list[str]]) -> re.Pattern[str]:
    """One alternation of every risk pattern (idioms aside): it finds something exactly when one
    of the matcher's patterns would, in one pass over the text instead of one per pattern."""
    return re.compile("|".join(f"(?:{p})" for kind, group in patterns.items() if kind != _IDIOM for p in group))


_ANY = {"fr": (_any_expression(FR_PATTERNS), "NORM"), "en": (_any_expression(EN_PATTERNS), "NORM")}


def _required(items: list[Any]) -> list[frozenset[str]]:
    """Sets of literal strings a match of the parsed pattern `items` must contain: at least one
    string of *every* set (a run of plain characters is a set of one; an alternation is the union
    of one set per branch). Sound, not complete: what it cannot tell (classes, optional parts)
    it leaves out, which only makes the check weaker."""
    from re import _constants as c  # type: ignore[attr-defined]

    out: list[frozenset[str]] = []
    run = ""
    for op, av in items:
        if op is c.LITERAL:
            run += chr(av)
            continue
        if run:
            out.append(frozenset({run}))
            run = ""
        if op is c.SUBPATTERN:
            out.extend(_required(list(av[-1])))
        elif op is c.BRANCH:
            alternatives = [_required(list(branch)) for branch in av[1]]
            if all(alternatives):
                out.append(frozenset().union(*(max(a, key=lambda s: min(map(len, s))) for a in alternatives)))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            out.extend(_required(list(av[2])))
    if run:
        out.append(frozenset({run}))
    return out


def _cheapest_first(strings: frozenset[str]) -> tuple[bool, int, int]:
    """The order a pattern's literal sets are tested in: a set of telling strings (4 characters or
    more) before one of short ones that most notes hold, then the set of fewest strings (one
    substring test each: the 43 medicine names come late), then the longest."""
    shortest = min(map(len, strings))
    return (shortest < 4, len(strings), -shortest)


def _literal_needs(patterns: dict[str, list[str]]) -> list[tuple[tuple[str, ...], ...]]:
    from re import _parser  # type: ignore[attr-defined]

    needs = set()
    for kind, group in patterns.items():
        if kind == _IDIOM:
            continue
        for pattern in group:
            groups = _required(list(_parser.parse(pattern)))
            groups.sort(key=_cheapest_first)
            needs.add(tuple(tuple(sorted(s)) for s in groups))
    return sorted(needs)


# Before the alternation (a few ms on 2,000 characters now that it holds some 150 patterns): a
# pattern can only match a text holding a string of each of its literal sets ("me " and one of
# "tuer", "suicider"), which plain substring tests (C speed) tell in a fraction of a millisecond.
_NEEDS = {"fr": _literal_needs(FR_PATTERNS), "en": _literal_needs(EN_PATTERNS)}


def _may_hold_a_pattern(plain: str, language: str) -> bool:
    return any(all(any(s in plain for s in group) for group in need) for need in _NEEDS[language])


def _patterns_by_need(patterns: dict[str, list[str]]) -> list[tuple[tuple[tuple[str, ...], ...], re.Pattern[str]]]:
    """Each set of literal needs with the alternation of the patterns that have it (branch risk16):
    a note is searched only with the patterns whose needs it holds, not with the alternation of
    all of them (1.7 ms on the B2 note, whose "suis ... un ... poids" lets one need through)."""
    from re import _parser  # type: ignore[attr-defined]

    grouped: dict[tuple[tuple[str, ...], ...], list[str]] = {}
    for kind, group in patterns.items():
        if kind == _IDIOM:
            continue
        for pattern in group:
            groups = _required(list(_parser.parse(pattern)))
            groups.sort(key=_cheapest_first)
            grouped.setdefault(tuple(tuple(sorted(s)) for s in groups), []).append(pattern)
    return [(need, re.compile("|".join(f"(?:{p})" for p in members))) for need, members in sorted(grouped.items())]


_CHECKS = {"fr": _patterns_by_need(FR_PATTERNS), "en": _patterns_by_need(EN_PATTERNS)}


def _holds_a_pattern(plain: str, language: str) -> bool:
    """Exactly `_ANY[language][0].search(plain)`, by the patterns whose literal needs hold."""
    return any(
        all(any(s in plain for s in group) for group in need) and expression.search(plain) is not None
        for need, expression in _CHECKS[language]
    )


_PLAIN = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "œ": "oe", "æ": "ae", "…": "..."})


def _plain_text(text: str, language: str) -> str | None:
    """The text the matcher reads, without spaCy: the lower case for English (the tokens' LOWER
    joined); for French, lower case without accents, or None when a character is left that
    eds.normalizer might write otherwise (the pipeline then decides); both respelled
    (`_respell_text`) as the `respell` pipe respells the tokens."""
    lowered = text.lower()
    if language == "en":
        return _respell_text(lowered, language)
    plain = "".join(c for c in unicodedata.normalize("NFKD", lowered.translate(_PLAIN)) if not unicodedata.combining(c))
    return _respell_text(plain, language) if plain.isascii() else None


def could_match(text: str, language: str) -> bool:
    """False only when no risk pattern can match the note: most notes stop here, before spaCy."""
    plain = _plain_text(text, language)
    if plain is None:
        return True
    return _holds_a_pattern(plain, language)


def _run(nlp: Any, text: str, language: str) -> Any:
    """The pipeline on a note `could_match` let through, stopping before the matcher when no
    pattern matches the normalised text, and after it when it kept no risk expression: the
    qualifiers only read around matches."""
    from edsnlp.utils.doc_to_text import get_text

    any_expression, attr = _ANY[language]
    doc = nlp.make_doc(text)
    for name, pipe in nlp.pipeline:
        if name == "matcher" and not any_expression.search(get_text(doc, attr, False)):
            return None
        doc = pipe(doc)
        if name == "matcher" and not any(ent.label_ != _IDIOM for ent in doc.ents):
            return None
    return doc


# Apostrophes typed as spaces ("me foutre en l air", "lettre d adieu", "j en peux plus", "i m done",
# "don t"): the space becomes the apostrophe, one character for one, so every offset into the note
# stays true (branch risk16b). French: an elided word alone before a vowel or an h (not a metre
# after a number, "5 m au-dessus"); English: a contraction's two halves.
_ELIDED = {
    "fr": re.compile(
        r"(?<![\w'’])(?<!\d )(?:l|d|j|m|t|s|n|c|qu|jusqu|lorsqu|puisqu)( )(?=[aeiouyhàâäéèêëîïôöûùü])", re.IGNORECASE
    ),
    "en": re.compile(
        r"(?<![\w'’])(?:(?:do|ca|wo|did|does|is|was|could|would|should|are|have|has|were|ai)n( )(?=t\b)"
        r"|i( )(?=(?:m|ve|ll|d)\b))",
        re.IGNORECASE,
    ),
}


def _rejoin(text: str, language: str) -> str:
    """`text` with the apostrophes typed as spaces put back, of the same length."""
    return _ELIDED[language].sub(lambda m: m.group(0)[:-1] + "'", text)


def analyse(text: str, *, languages: Iterable[str] | None = None) -> list[Candidate]:
    """Every expression found in `text`, kept or excluded, in text order."""
    if not text or not text.strip():
        return []
    # Most notes end here, before the pipelines are even needed.
    rejoined = {language: _rejoin(text, language) for language in languages or languages_of(text)}
    readable = [language for language, read in rejoined.items() if could_match(read, language)]
    if not readable:
        return []
    nlps = pipelines()
    found: list[Candidate] = []
    for language in readable:
        doc = _run(nlps[language], rejoined[language], language)
        if doc is not None:
            candidates = _candidates(doc, language)
            if rejoined[language] != text:  # quote the patient's own characters
                candidates = [
                    Candidate(
                        match=replace(
                            c.match,
                            expression=text[c.match.start : c.match.end],
                            sentence=text[c.match.sentence_start : c.match.sentence_end],
                        ),
                        excluded_by=c.excluded_by,
                    )
                    for c in candidates
                ]
            found.extend(candidates)
    found.sort(key=lambda c: (c.match.start, c.match.end))
    return found


def detect(text: str, *, languages: Iterable[str] | None = None) -> list[RiskMatch]:
    """The expressions of present risk in `text` (none negated, hypothetical, about someone
    else, reported or past), one per place: where two overlap the graver is kept."""
    kept: list[RiskMatch] = []
    for candidate in analyse(text, languages=languages):
        if candidate.excluded_by:
            continue
        match = candidate.match
        overlapping = [m for m in kept if m.start < match.end and match.start < m.end]
        if overlapping:
            worst = max([*overlapping, match], key=lambda m: (_SEVERITY_RANK[m.severity], m.end - m.start))
            kept = [m for m in kept if m not in overlapping]
            kept.append(worst)
        else:
            kept.append(match)
    # A warning sign alone is `high`; with ideation or a plan (means, intent) in the same note it
    # is part of that plan: critical.
    if any(m.kind == IDEATION or m.severity == CRITICAL for m in kept):
        kept = [replace(m, severity=CRITICAL) if m.kind == PLAN else m for m in kept]
    return sorted(kept, key=lambda m: m.start)


def severity_of(matches: Iterable[RiskMatch]) -> str | None:
    """The gravest severity among the matches (None when there are none)."""
    ranked = [m.severity for m in matches]
    return max(ranked, key=_SEVERITY_RANK.__getitem__) if ranked else None


def kinds_of(matches: Iterable[RiskMatch]) -> list[str]:
    present = {m.kind for m in matches}
    return [k for k in KINDS if k in present]
