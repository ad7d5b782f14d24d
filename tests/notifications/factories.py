"""What notification tests start from: a moderator's decision that tells its author."""

from consultations import services as participation
from moderation import services as moderation
from notifications.models import Event, Outbox


def rejected(author, consultation, moderator, text="Son unos cojudos") -> Outbox:
    """A moderator rejects a comment of ``author``: the notice's outbox row."""
    item = participation.comment_submit(
        author=author, consultation=consultation, provision=None, text=text
    )
    moderation.item_screen(kind="comment", pk=item.pk)
    moderation.item_decide(
        moderator=moderator, kind="comment", pk=item.pk, action="reject",
        seen_status="held", reason="insult",
    )  # fmt: skip
    return Outbox.objects.filter(recipient=author, event=Event.DECISION).latest("pk")
