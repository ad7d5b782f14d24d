"""The forms under each provision of the consultation page, as markup.

A bill has dozens of provisions and each carries a vote form and a comment
form. Through the template engine they were most of the page's cost; here the
parts that are the same on every provision (labels, URLs, the CSRF field) are
escaped once per page, and each provision only adds its own values, each
passed through :func:`esc`.
"""

from html import escape as escape_text

from django.utils.safestring import SafeString, mark_safe


def esc(value) -> str:
    """Django's ``conditional_escape`` (markup marked safe passes, anything else
    is escaped as Django escapes it), without the lazy-text check Django wraps
    around every call: the page escapes a few thousand values."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape_text(str(value))


def html(template: str, *values) -> SafeString:
    """``format_html`` with :func:`esc`: ``template`` is trusted markup."""
    return mark_safe(template.format(*map(esc, values)))  # noqa: S308 - values escaped


def _error_paragraph(identifier: str, message: str) -> str:
    if not message:
        return ""
    if identifier:
        return f'<p class="field-errors" id="{identifier}">{esc(message)}</p>'
    return f'<p class="field-errors">{esc(message)}</p>'


class UnitForms:
    """Builds the vote form and the comment box of each provision of one page."""

    def __init__(
        self,
        *,
        vote_url: str,
        comment_url: str,
        csrf_input: str,
        labels: dict[str, str],
        choices: list[tuple[str, str]],
    ) -> None:
        self.vote_url = esc(vote_url)
        self.comment_url = esc(comment_url)
        self.csrf = str(csrf_input)
        self.labels = {name: esc(text) for name, text in labels.items()}
        self.choices = [(esc(value), esc(label)) for value, label in choices]

    def vote_form(self, unit) -> SafeString:
        key, labels, errors = esc(unit.key), self.labels, unit.vote_errors
        chosen = {value for value, _label, checked in unit.choices if checked}
        choices = "".join(
            f'\n          <label class="choice choice-{value}"><input type="radio" name="choice" '
            f'value="{value}"{" checked" if value in chosen else ""}> {label}</label>'
            for value, label in self.choices
        )
        reason_error = errors["reason"]
        invalid = (
            f' aria-invalid="true" aria-describedby="reason-{key}-errors"' if reason_error else ""
        )
        if unit.my_vote:
            buttons = (
                f'<button type="submit">{labels["change_vote"]}</button>\n'
                f'          <span class="my-vote">{esc(unit.my_vote_text)}</span>\n'
                '          <button type="submit" name="withdraw" value="1" '
                f'class="button-secondary" formnovalidate>{labels["withdraw_vote"]}</button>'
            )
        else:
            buttons = f'<button type="submit">{labels["vote"]}</button>'
        return mark_safe(  # noqa: S308 - every value above is escaped
            f'<form class="vote-form" method="post" action="{self.vote_url}" '
            f'hx-post="{self.vote_url}" hx-target="#unit-{key}" hx-swap="outerHTML">\n'
            f"      {self.csrf}\n"
            f'      <input type="hidden" name="unit" value="{key}">\n'
            f"      <fieldset>\n        <legend>{esc(unit.legend)}</legend>\n"
            f'        <div class="choices">{choices}\n        </div>\n'
            f"        {_error_paragraph('', errors['choice'])}\n      </fieldset>\n"
            f'      <details class="reason-box"{" open" if unit.reason_open else ""}>\n'
            f"        <summary>{labels['add_reason']}</summary>\n"
            f'        <label for="reason-{key}">{labels["reason"]}</label>\n'
            f'        <textarea id="reason-{key}" name="reason" rows="2" maxlength="1000"'
            f"{invalid}>{esc(unit.reason_value)}</textarea>\n"
            f"        {_error_paragraph(f'reason-{key}-errors', reason_error)}\n      </details>\n"
            f"      {_error_paragraph('', errors['all'])}\n"
            f'      <div class="button-row">\n        {buttons}\n      </div>\n    </form>'
        )

    def comment_box(self, unit) -> SafeString:
        key, labels, errors = esc(unit.key), self.labels, unit.comment_errors
        quote = ""
        if unit.provision:
            quote_error = errors["quote"]
            described = f"quote-{key}-hint" + (f" quote-{key}-errors" if quote_error else "")
            quote = (
                f'<label for="quote-{key}">{labels["quote"]}</label>\n'
                f'          <p class="hint" id="quote-{key}-hint">{labels["quote_hint"]}</p>\n'
                f'          <textarea id="quote-{key}" name="quote" rows="2" maxlength="2000" '
                f'class="quote-input" aria-describedby="{described}"'
                f"{' aria-invalid="true"' if quote_error else ''}>"
                f"{esc(unit.quote_value)}</textarea>\n"
                f"          {_error_paragraph(f'quote-{key}-errors', quote_error)}"
            )
        text_error = errors["text"]
        invalid = f' aria-invalid="true" aria-describedby="text-{key}-errors"' if text_error else ""
        summary = labels["comment_provision"] if unit.provision else labels["comment_bill"]
        return mark_safe(  # noqa: S308 - every value above is escaped
            f'<details class="comment-box" id="comment-{key}"'
            f"{' open' if unit.comment_open else ''}>\n"
            f"      <summary>{summary}</summary>\n"
            f'      <form method="post" action="{self.comment_url}" '
            f'hx-post="{self.comment_url}" hx-target="#unit-{key}" hx-swap="outerHTML">\n'
            f"        {self.csrf}\n"
            f'        <input type="hidden" name="unit" value="{key}">\n        {quote}\n'
            f'        <label for="text-{key}">{labels["comment"]}</label>\n'
            f'        <textarea id="text-{key}" name="text" rows="4" maxlength="5000" required'
            f"{invalid}>{esc(unit.comment_value)}</textarea>\n"
            f"        {_error_paragraph(f'text-{key}-errors', text_error)}\n"
            f"        {_error_paragraph('', errors['all'])}\n"
            f'        <p class="hint">{labels["comment_hint"]}</p>\n'
            f'        <button type="submit">{labels["send_comment"]}</button>\n'
            "      </form>\n    </details>"
        )
