"""The report pages, in menu order: slug, title, and the builder (`build(scope) ->
list[Figure]`), imported when first asked for."""

from django.utils.module_loading import import_string

REPORTS = {
    "funnel": ("Cultivation funnel", "opportunities.reports.funnel.build"),
    "pipeline": ("Pipeline", "opportunities.reports.pipeline.build"),
    "referrals": ("Referrals and alliances", "opportunities.reports.referrals.build"),
    "discipline": ("Discipline", "opportunities.reports.discipline.build"),
}


def build(slug, scope):
    """The figures of report `slug` for `scope` (KeyError for an unknown slug)."""
    _title, path = REPORTS[slug]
    return import_string(path)(scope)
