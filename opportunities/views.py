from django.shortcuts import get_object_or_404, render

from .models import Opportunity, Stage


def board(request):
    cards = Opportunity.objects.select_related("organisation", "owner").order_by("position")[:200]
    columns = [(stage, [card for card in cards if card.stage == stage]) for stage in Stage]
    return render(request, "opportunities/board.html", {"columns": columns})


def card_detail(request, pk):
    card = get_object_or_404(Opportunity.objects.select_related("organisation", "owner"), pk=pk)
    history = card.stage_changes.select_related("by")
    return render(request, "opportunities/card_detail.html", {"card": card, "history": history})
