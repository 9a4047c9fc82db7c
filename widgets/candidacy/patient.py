"""A patient's findings: what decides candidacy, as validated data.  Pure logic.

:class:`Findings` holds the findings a case states (the leaflet's seven, what current practice also weighs,
and what the red flags above both read); :class:`Patient` is the same with a one-line
:class:`PatientError` naming the field for a bad value.  The rules that read them are in
:mod:`widgets.candidacy.rules`; the case bank that states them in :mod:`widgets.candidacy.bank`.

Consistency of findings (documented decision): a ``fracture_cause`` is given exactly when there is a
compression fracture.  A cause without a fracture, or a fracture without a cause, is rejected with a
``ValueError`` naming both fields (use ``"other"`` for a fracture whose cause is not one of the listed
ones).  A fracture caused by infection counts as an infection in the vertebra, as the leaflet says,
whether or not ``vertebral_infection`` is also set.

:func:`findings_words` says a patient's findings in plain words, as a clinician lists them on a card.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import StrictBool, ValidationError, model_validator

from widgets.candidacy import red_flags
from widgets.candidacy.red_flags import RED_FLAG_FIELDS
from widgets.core.loading import ContentModel

FractureCause = Literal["osteoporosis", "trauma", "tumor", "vascular", "infection", "other"]
FRACTURE_CAUSES: tuple[str, ...] = ("osteoporosis", "trauma", "tumor", "vascular", "infection", "other")
Coagulopathy = Literal["none", "correctable", "uncorrectable"]
COAGULOPATHY: tuple[str, ...] = ("none", "correctable", "uncorrectable")
VascularLesion = Literal["haemangioma", "other"]
VASCULAR_LESIONS: tuple[str, ...] = ("haemangioma", "other")
#: Causes for which the leaflet does not recommend kyphoplasty.
KP_EXCLUDED_CAUSES = frozenset({"vascular", "tumor", "infection"})

#: The findings the leaflet's rules read (every case states them).
PATIENT_FIELDS: tuple[str, ...] = (
    "compression_fracture", "fracture_cause", "severe_back_pain",
    "pain_relieved_by_medication_and_bed_rest", "posterior_cortical_defect",
    "vertebral_infection", "pain_from_herniated_disc",
)
#: The further findings current practice reads; each may be left out and then means "absent"
#: (``coagulopathy: none``, ``vascular_lesion``: not stated), so a bank written before them still loads.
PRACTICE_FIELDS: tuple[str, ...] = (
    "fracture_healed", "neurological_deficit", "radicular_pain", "systemic_infection", "coagulopathy",
    "cement_allergy", "epidural_tumour", "vascular_lesion", "fracture_root_pain",
)
#: ... and the red flags above both standards (widgets.candidacy.red_flags.RED_FLAG_FIELDS) read these.
FINDING_FIELDS: tuple[str, ...] = PATIENT_FIELDS + PRACTICE_FIELDS + RED_FLAG_FIELDS
#: The values a finding may take (for conditions in the rule files and for messages).
FINDING_VALUES: dict[str, tuple] = {
    **{f: (True, False) for f in FINDING_FIELDS},
    "fracture_cause": FRACTURE_CAUSES + (None,),
    "coagulopathy": COAGULOPATHY,
    "vascular_lesion": VASCULAR_LESIONS + (None,),
}


class PatientError(ValueError):
    """An invalid patient finding; the message names the field(s)."""

    def __init__(self, field: str, problem: str):
        self.field = field
        super().__init__(f"Patient field '{field}': {problem}")



def _check_cause(findings):
    """Findings must not contradict each other (each message names both fields)."""
    if not findings.compression_fracture and findings.fracture_cause is not None:
        raise ValueError(
            f"fields 'fracture_cause' and 'compression_fracture' disagree: a cause "
            f"({findings.fracture_cause!r}) is given but compression_fracture is false; "
            "set fracture_cause to null, or compression_fracture to true")
    if findings.compression_fracture and findings.fracture_cause is None:
        raise ValueError(
            "fields 'fracture_cause' and 'compression_fracture' disagree: there is a fracture "
            "but no cause; give one of " + ", ".join(FRACTURE_CAUSES))
    for field in ("deficit_worsening", "cauda_equina_signs"):
        if getattr(findings, field) and not findings.neurological_deficit:
            raise ValueError(
                f"fields '{field}' and 'neurological_deficit' disagree: {field} describes a neurological deficit, "
                "but neurological_deficit is false; set neurological_deficit to true, or the other to false")
    for field in ("fracture_healed", "neurological_deficit", "fracture_root_pain"):
        if getattr(findings, field) and not findings.compression_fracture:
            raise ValueError(
                f"fields '{field}' and 'compression_fracture' disagree: {field} describes the fractured "
                "vertebra, but compression_fracture is false; set one of them the other way")
    if findings.epidural_tumour and findings.fracture_cause != "tumor":
        raise ValueError(
            "fields 'epidural_tumour' and 'fracture_cause' disagree: a tumour spreading into the spinal canal "
            f"needs fracture_cause tumor, not {findings.fracture_cause!r}")
    if findings.vascular_lesion is not None and findings.fracture_cause != "vascular":
        raise ValueError(
            "fields 'vascular_lesion' and 'fracture_cause' disagree: a vascular lesion is named "
            f"({findings.vascular_lesion!r}) but fracture_cause is {findings.fracture_cause!r}; use vascular, "
            "or leave vascular_lesion out")
    return findings


class Findings(ContentModel):
    """The findings that decide candidacy, as validated data (used inside case banks).

    The first seven are the leaflet's; the rest are what current practice also weighs (each
    defaults to absent).  ``fracture_healed``: an old fracture that has healed (no marrow oedema
    on MRI).  ``neurological_deficit``: weakness, numbness or cord signs from the fractured level
    (a fragment pushed back into the canal, or tumour in it).  ``radicular_pain``: nerve-root pain
    from a compression unrelated to the fracture (a disc, a narrowed canal elsewhere).
    ``fracture_root_pain``: nerve-root pain at the fracture's own level, from the collapse.
    ``systemic_infection``: sepsis or an active infection elsewhere in the body.  ``coagulopathy``:
    a bleeding tendency (a blood thinner or a disorder) that can or cannot be corrected.
    ``cement_allergy``: allergy to bone cement or the contrast mixed into it.  ``epidural_tumour``:
    a tumour spreading from the vertebra into the spinal canal.  ``vascular_lesion``: for a
    vascular cause, whether the lesion is a haemangioma.

    The last four are what the red flags above both standards read (widgets/content/red_flags.yaml):
    ``deficit_worsening`` (the deficit is new or getting worse), ``cauda_equina_signs``,
    ``infection_suspected`` (signs of a spinal infection not yet looked for) and ``malignancy_suspected``
    (a collapse that suggests a cancer not yet explained).
    """

    compression_fracture: StrictBool
    fracture_cause: Optional[FractureCause] = None
    severe_back_pain: StrictBool
    pain_relieved_by_medication_and_bed_rest: StrictBool
    posterior_cortical_defect: StrictBool
    vertebral_infection: StrictBool
    pain_from_herniated_disc: StrictBool
    fracture_healed: StrictBool = False
    neurological_deficit: StrictBool = False
    radicular_pain: StrictBool = False
    systemic_infection: StrictBool = False
    coagulopathy: Coagulopathy = "none"
    cement_allergy: StrictBool = False
    epidural_tumour: StrictBool = False
    vascular_lesion: Optional[VascularLesion] = None
    fracture_root_pain: StrictBool = False
    deficit_worsening: StrictBool = False
    cauda_equina_signs: StrictBool = False
    infection_suspected: StrictBool = False
    malignancy_suspected: StrictBool = False

    @model_validator(mode="after")
    def _cause_matches_fracture(self):
        return _check_cause(self)

    @property
    def infected(self) -> bool:
        """An infection in the vertebra, counting a fracture caused by infection."""
        return self.vertebral_infection or self.fracture_cause == "infection"


class Patient(Findings):
    """The findings that decide candidacy.  Invalid values raise ``ValueError`` naming the field."""

    def __init__(self, **data):
        try:
            super().__init__(**data)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or "fracture_cause, compression_fracture"
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, "):]
            if err["type"] == "literal_error":
                allowed = [v for v in FINDING_VALUES.get(field, ()) if v is not None]
                msg = (f"{err.get('input')!r} is not allowed; use one of " + ", ".join(map(str, allowed))
                       + (" (or None when there is no fracture)" if field == "fracture_cause" else ""))
            elif err["type"] == "missing":
                msg = "this finding is missing"
            elif err["type"] == "extra_forbidden":
                msg = "this is not a known finding; the fields are " + ", ".join(FINDING_FIELDS)
            elif err["type"].startswith("bool"):
                msg = f"{err.get('input')!r} is not allowed; use True or False"
            raise PatientError(field, msg) from None



# --------------------------------------------------------------------------- in plain words

#: Current practice's findings as a clinician would list them on a card.
FINDING_WORDS = {
    "fracture_healed": "the fracture has healed (no oedema on MRI)",
    "neurological_deficit": "weakness, numbness or cord signs from the fractured level",
    "radicular_pain": "nerve-root (radicular) pain from a compression unrelated to the fracture",
    "fracture_root_pain": "nerve-root pain at the fracture's own level",
    "systemic_infection": "an infection elsewhere in the body, or sepsis",
    "cement_allergy": "allergy to bone cement",
    "epidural_tumour": "tumour spreading into the spinal canal",
}
CAUSE_WORDS = {"osteoporosis": "osteoporosis", "trauma": "an injury (trauma)", "tumor": "a tumour",
               "vascular": "a vascular lesion", "infection": "an infection", "other": "bone thinned by another condition"}


def findings_words(patient) -> list[str]:
    """A patient's findings in plain words (what a clinician would list on a card)."""
    p = patient
    out = []
    if p.compression_fracture:
        lesion = {"haemangioma": ", a haemangioma", "other": ", not a haemangioma"}.get(p.vascular_lesion or "", "")
        out.append(f"a compression fracture caused by {CAUSE_WORDS[p.fracture_cause]}{lesion}")
    else:
        out.append("no compression fracture")
    out.append(("severe" if p.severe_back_pain else "mild or moderate") + " back pain, "
               + ("eased" if p.pain_relieved_by_medication_and_bed_rest else "not eased")
               + " by pain medication and bed rest")
    if p.posterior_cortical_defect:
        out.append("a broken back wall of the vertebral body (posterior cortical defect)")
    if p.infected:
        out.append("an infection in the vertebra")
    if p.pain_from_herniated_disc:
        out.append("pain from a herniated disc rather than from the fracture")
    out += [words for field, words in FINDING_WORDS.items() if getattr(p, field)]
    if p.coagulopathy != "none":
        out.append(f"a bleeding tendency that {'can' if p.coagulopathy == 'correctable' else 'cannot'} be corrected")
    return out + red_flags.findings_words(p)
