"""The forms under each provision of the consultation page, as markup.

A bill has dozens of provisions and each carries a vote form and a comment
form; built here with ``format_html`` they cost a fraction of what the same
markup costs through the template engine, which keeps the signed-in page
fast. Everything interpolated is escaped by ``format_html``.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def _errors(identifier: str, message: str) -> SafeString:
    if not message:
        return mark_safe("")
    if identifier:
        return format_html('<p class="field-errors" id="{}">{}</p>', identifier, message)
    return format_html('<p class="field-errors">{}</p>', message)


def _invalid(described_by: str, message: str) -> SafeString:
    if not message:
        return mark_safe("")
    return format_html(' aria-invalid="true" aria-describedby="{}"', described_by)


def _open(flag: bool) -> str:
    return " open" if flag else ""


def vote_form(unit, *, url: str, csrf_input: SafeString, labels: dict[str, str]) -> SafeString:
    key = unit.key
    errors = unit.vote_errors
    choices = format_html_join(
        "",
        '\n          <label class="choice choice-{0}"><input type="radio" name="choice" '
        'value="{0}"{2}> {1}</label>',
        ((value, label, " checked" if checked else "") for value, label, checked in unit.choices),
    )
    if unit.my_vote:
        buttons = format_html(
            '<button type="submit">{}</button>\n          <span class="my-vote">{}</span>\n'
            '          <button type="submit" name="withdraw" value="1" class="button-secondary" '
            "formnovalidate>{}</button>",
            labels["change_vote"],
            unit.my_vote_text,
            labels["withdraw_vote"],
        )
    else:
        buttons = format_html('<button type="submit">{}</button>', labels["vote"])
    return format_html(
        '<form class="vote-form" method="post" action="{url}" hx-post="{url}" '
        'hx-target="#unit-{key}" hx-swap="outerHTML">\n      {csrf}\n'
        '      <input type="hidden" name="unit" value="{key}">\n'
        "      <fieldset>\n        <legend>{legend}</legend>\n"
        '        <div class="choices">{choices}\n        </div>\n        {choice_errors}\n'
        "      </fieldset>\n"
        '      <details class="reason-box"{reason_open}>\n'
        "        <summary>{add_reason}</summary>\n"
        '        <label for="reason-{key}">{reason_label}</label>\n'
        '        <textarea id="reason-{key}" name="reason" rows="2" maxlength="1000"'
        "{reason_invalid}>{reason}</textarea>\n        {reason_errors}\n"
        "      </details>\n      {form_errors}\n"
        '      <div class="button-row">\n        {buttons}\n      </div>\n    </form>',
        url=url,
        key=key,
        csrf=csrf_input,
        legend=unit.legend,
        choices=choices,
        choice_errors=_errors("", errors["choice"]),
        reason_open=_open(unit.reason_open),
        add_reason=labels["add_reason"],
        reason_label=labels["reason"],
        reason_invalid=_invalid(f"reason-{key}-errors", errors["reason"]),
        reason=unit.reason_value,
        reason_errors=_errors(f"reason-{key}-errors", errors["reason"]),
        form_errors=_errors("", errors["all"]),
        buttons=buttons,
    )


def comment_box(unit, *, url: str, csrf_input: SafeString, labels: dict[str, str]) -> SafeString:
    key = unit.key
    errors = unit.comment_errors
    quote = mark_safe("")
    if unit.provision:
        quote_errors = errors["quote"]
        described = f"quote-{key}-hint" + (f" quote-{key}-errors" if quote_errors else "")
        quote = format_html(
            '<label for="quote-{key}">{label}</label>\n'
            '          <p class="hint" id="quote-{key}-hint">{hint}</p>\n'
            '          <textarea id="quote-{key}" name="quote" rows="2" maxlength="2000" '
            'class="quote-input" aria-describedby="{described}"{invalid}>{value}</textarea>\n'
            "          {errors}",
            key=key,
            label=labels["quote"],
            hint=labels["quote_hint"],
            described=described,
            invalid=mark_safe(' aria-invalid="true"') if quote_errors else "",
            value=unit.quote_value,
            errors=_errors(f"quote-{key}-errors", quote_errors),
        )
    summary = labels["comment_provision"] if unit.provision else labels["comment_bill"]
    return format_html(
        '<details class="comment-box" id="comment-{key}"{open}>\n'
        "      <summary>{summary}</summary>\n"
        '      <form method="post" action="{url}" hx-post="{url}" hx-target="#unit-{key}" '
        'hx-swap="outerHTML">\n        {csrf}\n'
        '        <input type="hidden" name="unit" value="{key}">\n        {quote}\n'
        '        <label for="text-{key}">{text_label}</label>\n'
        '        <textarea id="text-{key}" name="text" rows="4" maxlength="5000" required'
        "{text_invalid}>{text}</textarea>\n        {text_errors}\n        {form_errors}\n"
        '        <p class="hint">{hint}</p>\n'
        '        <button type="submit">{send}</button>\n      </form>\n    </details>',
        key=key,
        open=_open(unit.comment_open),
        summary=summary,
        url=url,
        csrf=csrf_input,
        quote=quote,
        text_label=labels["comment"],
        text_invalid=_invalid(f"text-{key}-errors", errors["text"]),
        text=unit.comment_value,
        text_errors=_errors(f"text-{key}-errors", errors["text"]),
        form_errors=_errors("", errors["all"]),
        hint=labels["comment_hint"],
        send=labels["send_comment"],
    )
