"""POST /sms/inbound/: the SMS provider's webhook for texts the person sends and reports on texts we
sent. Signed by the provider (Twilio's X-Twilio-Signature over the URL it posted to and the form);
anything unsigned or signed wrongly is refused with 403 and logged without its body."""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from .inbound import receive_report, receive_text
from .models import webhook_base

log = logging.getLogger(__name__)

# An empty TwiML answer: we reply through the outbox, never in the webhook's answer.
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def signed_by_provider(request: HttpRequest) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not (signature and settings.SMS_AUTH_TOKEN):
        return False
    url = webhook_base() + request.get_full_path()
    return RequestValidator(settings.SMS_AUTH_TOKEN).validate(url, request.POST.dict(), signature)


@csrf_exempt
@require_POST
def inbound(request: HttpRequest) -> HttpResponse:
    if not signed_by_provider(request):
        # Who asked and how, never what they sent: a forged body may still carry someone's words.
        # Its size from the header: the body itself cannot be read once the form has been.
        size = request.META.get("CONTENT_LENGTH", "")
        size = size if size.isdigit() else "?"
        log.warning("Refused an SMS webhook post without a valid signature (%s bytes)", size)
        return HttpResponse("Signature required.", status=403, content_type="text/plain")
    data = request.POST
    text_id = request.GET.get("text", "")
    if text_id.isdigit():
        status = data.get("MessageStatus") or data.get("SmsStatus") or ""
        receive_report(
            int(text_id), provider_id=data.get("MessageSid", ""), status=status, error_code=data.get("ErrorCode", "")
        )
    elif (
        data.get("MessageSid")
        and data.get("From")
        and (data.get("SmsStatus") or data.get("MessageStatus") or "received") == "received"
        and data.get("From") != settings.SMS_FROM
    ):
        # Only a text to us: a delivery report posted here without ?text= (a callback URL set on
        # the provider's side) is from our own number and must not start a lead.
        receive_text(provider_id=data["MessageSid"], from_number=data["From"], body=data.get("Body", ""))
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
