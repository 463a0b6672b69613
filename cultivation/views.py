from django.shortcuts import get_object_or_404, render

from .models import Contact


def contact_detail(request, pk):
    contact = get_object_or_404(Contact.objects.select_related("organisation", "owner"), pk=pk)
    return render(request, "cultivation/contact_detail.html", {"contact": contact})
