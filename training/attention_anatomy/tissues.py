"""Tissue classes for CT synthesis: HU ranges, and the rule that gives every generation label a class.

Each class has an unenhanced HU range and a contrast-enhanced one (portal-venous / arterial phase; equal
to the unenhanced one where contrast changes nothing). The ranges are the randomisation ranges of
`../shared/data/anatomy/icrp110/tissue_hu.tsv` and the `hu_*` columns of `icrp110/organs_icrp.tsv` (their
sources are cited there), grouped; ICRP labels keep their own per-organ range, other sources take their
class's. `synth.py` draws one value per class and sample (so all muscles of a sample share a HU value,
as on a real CT) plus a small per-label jitter, and sometimes draws far outside these ranges.
"""
from __future__ import annotations

import re

# name: (hu_lo, hu_hi, enhanced_lo, enhanced_hi)
TISSUES: dict[str, tuple[float, float, float, float]] = {
    'air': (-1000, -1000, -1000, -1000),  # outside the body; class 0, never randomised
    'air_inside': (-1000, -900, -1000, -900),  # trachea lumen, sinuses, gas
    'lung': (-900, -750, -900, -700),
    'fat': (-120, -80, -120, -80),
    'residual': (-100, 0, -100, 10),  # unlabelled torso interior (TotalSegmentator, SPL): fat / soft tissue mix
    'soft': (20, 50, 40, 80),  # generic soft tissue, unlabelled head & neck interior
    'muscle': (35, 60, 45, 70),
    'gland': (-20, 45, 30, 90),  # salivary glands (parotids are often fatty)
    'blood': (35, 65, 150, 400),  # vessels, heart contents
    'heart': (35, 60, 100, 250),
    'liver': (45, 70, 90, 140),
    'spleen': (35, 55, 100, 160),
    'kidney': (20, 45, 120, 250),
    'pancreas': (30, 50, 80, 130),
    'gi_wall': (30, 50, 60, 120),
    'gi_content': (-50, 50, -50, 50),
    'bile': (0, 25, 0, 25),
    'water': (0, 20, 0, 20),  # urine, CSF
    'brain': (20, 45, 25, 50),
    'eye': (0, 30, 0, 30),
    'lens': (90, 130, 90, 130),
    'cartilage': (80, 200, 80, 200),
    'thyroid': (70, 130, 150, 250),
    'spongiosa': (100, 350, 100, 350),
    'cortical': (700, 1800, 700, 1800),
    'marrow': (-120, -20, -120, -20),
    'teeth': (1500, 3000, 1500, 3000),
    'skin': (10, 60, 10, 60),
    'table': (-1000, 300, -1000, 300),  # couch: carbon fibre / foam; sometimes invisible
}
TISSUE_NAMES = list(TISSUES)
TISSUE_INDEX = {n: i for i, n in enumerate(TISSUE_NAMES)}

# Keyword rules, first match wins (lower-case label names of TotalSegmentator, DeepMind, SPL, ICRP).
_RULES = [
    ('lens', r'\blens'),
    ('teeth', r'teeth'),
    ('cortical', r'cortical'),
    ('spongiosa', r'spongiosa'),
    ('marrow', r'medullary cavity'),
    ('cartilage', r'cartilage|intervertebraldisc|intervertebral'),
    ('air_inside', r'air inside|\bair\b|nasal passage|trachea(?! wall)|bronch'),
    ('lung', r'\blung'),
    ('eye', r'eye|orbit|globe'),
    ('thyroid', r'thyroid'),
    ('bile', r'gall ?bladder'),
    ('water', r'bladder contents|urinary_bladder|ventricle|aqueduct|cochlea|csf|cerebrospinal|spinal-canal|spinal canal'),
    ('heart', r'heart|atrial'),
    ('blood', r'arter|vein|vena|aorta|vessel|_trunk|\(blood\)'),
    ('liver', r'liver'),
    ('spleen', r'spleen'),
    ('kidney', r'kidney|renal_pelvis'),
    ('pancreas', r'pancreas'),
    ('gi_content', r'contents'),
    ('gi_wall', r'stomach|bowel|colon|intestin|duoden|rectum|oesophag|esophag|ileum'),
    ('gland', r'saliv|parotid|submandibular|sublingual|lacrimal'),
    ('brain', r'brain|cerebr|cerebell|gyrus|gyri|cortex|white matter|nucleus|thalam|hypothal|pons|midbrain|medulla'
              r'|hippocamp|amygdala|insula|lobule|pole|cuneus|callosum|fornix|colliculus|claustrum|chiasm|optic'
              r'|hypophysis|pituitary|pineal|mammill|septum|commissure|geniculate|pulvinar|lamina|tract|peduncle'
              r'|substantia|spinal[ _-]?cord|limen|choroid'),
    ('bone', r'skull|cranium|mandible|vertebra|rib|sternum|clavic|scapula|humer|femur|hip_|sacrum|pelvis$|coccyx'
                 r'|cervical\d|thoracic\d|lumbar\d|^rib\d|ulna|radi|tibia|fibula|patell|ankle|wrist|bone'),
    ('fat', r'adipose|residual tissue|fat'),
    ('skin', r'skin'),
    ('muscle', r'muscle|gluteus|autochthon|iliopsoas|psoas|tongue|masseter|temporalis|pterygoid|rectus|oblique'
               r'|constrictor|digastric|trapezius|scalen|splenius|longus|longissimus|semispinalis|capitis|buccinator'
               r'|zygomaticus|levator|tensor|palato|glossus|stylo|nasalis|sternocleidomastoid|uvula|mucosa'),
]
_COMPILED = [(t, re.compile(p)) for t, p in _RULES]


def tissue_of(name: str, default: str = 'soft') -> str:
    """Tissue class of a generation label from its (upstream) name. 'bone' = a whole bone (TotalSegmentator,
    DeepMind, SPL): the packer splits it into a cortical shell and a spongiosa interior."""
    n = name.lower().strip()
    for t, rx in _COMPILED:
        if rx.search(n):
            return t
    return default


def ranges_of(tissue: str) -> tuple[float, float, float, float]:
    return TISSUES[tissue]
