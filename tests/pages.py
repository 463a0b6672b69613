"""What a page told the person, read the same way by every page test."""


def said(response, level, words):
    """Whether the page told the person exactly one thing, of `level`, that says `words`.

    A refusal ("error") is a 4xx page saying why and that nothing was changed; anything
    else is one flash message on the page the person lands on."""
    if level == "error":
        return (
            400 <= response.status_code < 500
            and words in response.context["message"]
            and "Nothing was changed." in response.content.decode()
            and not list(response.context["messages"])
        )
    messages = [(message.level_tag, str(message)) for message in response.context["messages"]]
    return len(messages) == 1 and messages[0][0] == level and words in messages[0][1]
