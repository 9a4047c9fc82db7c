"""The module's figure style: Okabe-Ito colours, readable sizes, one name per idea.

Okabe M., Ito K. (2008) "Color Universal Design": eight colours that stay
distinct under the common colour-vision deficiencies.  Pure data: importing this
module does not import matplotlib.
"""

from __future__ import annotations

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: One colour per idea, used by every figure in the module.
COLOURS = {
    "vertebroplasty": OKABE_ITO["blue"],
    "kyphoplasty": OKABE_ITO["vermillion"],
    "non_surgical": OKABE_ITO["bluish_green"],
    "sham": OKABE_ITO["reddish_purple"],
    "bone": "#4D4D4D",
    "bone_fill": "#E8E4DA",
    "cement": OKABE_ITO["sky_blue"],
    "balloon": OKABE_ITO["orange"],
    "needle": OKABE_ITO["black"],
    "uncertainty": OKABE_ITO["orange"],
    "highlight": OKABE_ITO["yellow"],
}

#: What is drawn over a fluoroscopy picture, the same on the model spine and the real CT: the labels, the walls the
#: needle must stay inside, the target, danger (the spinal canal, a breach, a leak) and metal.  Metal is near black
#: and never coloured: an x-ray has no colours.
ON_XRAY = {
    "label": OKABE_ITO["yellow"],
    "wall": OKABE_ITO["sky_blue"],
    "target": OKABE_ITO["bluish_green"],
    "danger": OKABE_ITO["vermillion"],
    "metal": "#151515",
}

#: matplotlib rcParams applied to every module figure.
RC = {
    "axes.prop_cycle": None,  # filled in by figures.apply_style (needs matplotlib's cycler)
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "font.size": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100,
}

CYCLE = [OKABE_ITO[k] for k in ("blue", "vermillion", "bluish_green", "orange",
                                "reddish_purple", "sky_blue", "black", "yellow")]
