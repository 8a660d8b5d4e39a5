"""Where the outlets disagree, the part a dossier opens with: figures given different values for
the same quantity, source and time; one source's figures moving forward in time, told as an
update; claims denied by some and confirmed or left open by others. Built from the dossier's
figures, discrepancies and claims, each side with its source, outlets, date and citations."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from storydesk.model import Claim, Discrepancy, Dispute, DisputeSide, DossierArticle, FigureReport
from storydesk.synthesise.claims import PRONOUN_SUBJECTS

# A claim belongs in the lead when someone denies it, or when its stances differ.
DISPUTED_STANCES = ("denied",)


def story_disputes(
    articles: Sequence[DossierArticle],
    figures: Sequence[FigureReport],
    discrepancies: Sequence[Discrepancy],
    claims: Sequence[Claim],
) -> list[Dispute]:
    """The story's disputes, those carried by the most outlets first; conflicts before updates."""
    outlet = {entry.id: entry.outlet_label for entry in articles}
    found = [_figure_dispute(d, figures, outlet) for d in discrepancies]
    found += [_claim_dispute(claim, outlet) for claim in claims if _disputed(claim)]
    order = {"figures": 0, "claim": 1, "update": 2}
    return sorted(found, key=lambda d: (order[d.kind], -len({o for side in d.sides for o in side.outlets})))


def _figure_dispute(discrepancy: Discrepancy, figures: Sequence[FigureReport], outlet: dict[int, str]) -> Dispute:
    """One side per value (the reports giving it), in the order of their dates."""
    by_value: dict[float, list[FigureReport]] = {}
    for index in discrepancy.figures:
        by_value.setdefault(figures[index].value, []).append(figures[index])
    sides = [_figure_side(reports, outlet) for reports in by_value.values()]
    sides.sort(key=lambda side: side.date or "")
    kind = "update" if discrepancy.kind == "update" else "figures"
    joiner = ", " if kind == "update" else " against "
    told = joiner.join(_told_figure(side, kind) for side in sides)
    return Dispute(kind=kind, about=discrepancy.about, sides=sides, told=told)


def _figure_side(reports: list[FigureReport], outlet: dict[int, str]) -> DisputeSide:
    first = reports[0]
    says = first.text if first.modality != "forecast" else f"{first.text} expected"
    return DisputeSide(
        says=says,
        by=first.asserted_by,
        outlets=list(dict.fromkeys(outlet[r.article] for r in reports)),
        date=min((r.as_of or r.date or "" for r in reports), default="") or None,
        citations=[r.span for r in reports],
    )


def _told_figure(side: DisputeSide, kind: str) -> str:
    when = readable_date(side.date)
    if kind == "update":
        return f"{side.says} on {when}" if when and not side.says.endswith("expected") else side.says
    source = f"according to {side.by}, " if side.by else ""
    return f"{side.says} ({source}{', '.join(side.outlets)}{', ' + when if when else ''})"


def _disputed(claim: Claim) -> bool:
    """Whether a claim leads: someone denies it or the stances differ, and it names what it is
    about ("He supplies weapons", with "he" unresolved, tells a reader nothing)."""
    stances = {stance.stance for stance in claim.stances}
    named = claim.about.split(" ", 1)[0].lower() not in PRONOUN_SUBJECTS
    return named and (bool(stances & set(DISPUTED_STANCES)) or len(stances) > 1)


def _claim_dispute(claim: Claim, outlet: dict[int, str]) -> Dispute:
    """One side per stance (denied, not denied, confirmed...), with everyone who took it."""
    by_stance: dict[str, list] = {}
    for stance in claim.stances:
        by_stance.setdefault(stance.stance, []).append(stance)
    sides = [
        DisputeSide(
            says=name,
            by=", ".join(dict.fromkeys(s.by for s in stances if s.by)) or None,
            outlets=list(dict.fromkeys(outlet[s.article] for s in stances)),
            date=min((s.date for s in stances if s.date), default=None),
            citations=[s.span for s in stances],
        )
        for name, stances in by_stance.items()
    ]
    told = "; ".join(f"{side.says} by {side.by or 'an unnamed source'}" for side in sides)
    return Dispute(kind="claim", about=claim.about, sides=sides, told=told)


def readable_date(value: str | None) -> str | None:
    """An ISO day as "24 Oct 2024" (other precisions and bounds as they are)."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {day:%b %Y}"
