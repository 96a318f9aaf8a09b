import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from intake.channels import render_email

from .models import Article

log = logging.getLogger(__name__)


@shared_task
def remind_overdue_reviews() -> int:
    """Tell each article's medical reviewer, once per review-by date, that it is due."""
    sent = 0
    for article in Article.objects.review_overdue().select_related("reviewer"):
        if not article.reviewer or not article.reviewer.email:
            continue
        if not article.claim_review_reminder():
            continue
        context = {
            "article": article,
            # The review page: a reviewer may read and approve there, without access to every article.
            "url": f"{settings.SITE_URL}{reverse('admin:articles_articleawaitingreview_review', args=[article.pk])}",
            "centre_name": settings.CENTRE_NAME,
        }
        subject, text, html = render_email("article-review-due", context)
        message = EmailMultiAlternatives(subject, text, to=[article.reviewer.email])
        message.attach_alternative(html, "text/html")
        try:
            message.send()
        except Exception:
            # Give the claim back so the next run tries again.
            Article.objects.filter(pk=article.pk).update(review_reminded_for=None)
            raise
        sent += 1
    if sent:
        log.info("Reminded reviewers of %s overdue articles", sent)
    return sent
