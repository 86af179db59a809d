"""The rules engine: content (guidance_content/) → recommendations, in pure Python.

    content = load_content(path)                 # once, at start-up; ContentError if bad
    answers = validate_answers(content, raw)     # InputError naming the field
    context = validate_context(content, raw)
    evaluation = evaluate(content, answers, context, as_of, local)
    present(evaluation, content, "fr")           # the same dict for API, CLI and pages

No Flask here: the engine runs the same in a request, a command or a benchmark.
"""

from portal.rules.evaluate import Evaluation, Recommendation, evaluate
from portal.rules.load import load_content
from portal.rules.model import Content
from portal.rules.present import present
from portal.rules.validate import InputError, validate_answers, validate_context
from portal.rules.yamlfile import ContentError

__all__ = [
    "Content",
    "ContentError",
    "Evaluation",
    "InputError",
    "Recommendation",
    "evaluate",
    "load_content",
    "present",
    "validate_answers",
    "validate_context",
]
