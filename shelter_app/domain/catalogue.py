"""Labels of the built-in service catalogue (seeded by migration 0002), for extraction."""

from shelter_app.i18n import N_

BUILT_IN_SERVICE_LABELS = (
    N_("Safe shelter"), N_("Medical care"), N_("Mental health and psychosocial support"),
    N_("Legal aid"), N_("Interpreting"), N_("Education"), N_("Vocational training"),
    N_("Financial support"), N_("Repatriation"), N_("Other service"),
)
