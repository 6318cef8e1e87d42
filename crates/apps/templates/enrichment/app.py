"""{{display_name}}: on-demand enrichment — looks an indicator up in an HTTP service.

run.py handles inputs, outputs and the exit message; this file holds the logic. The HTTP call has
a timeout per attempt and retries timeouts, connection failures, 429 and 5xx answers with
exponential backoff; other answers (400, 401, 404...) are final. The API key is sent as a Bearer
token and never written to the log or the outputs.
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
INDICATOR_TYPES = ('Address', 'EmailAddress', 'File', 'Host', 'URL', 'ASN', 'CIDR')


class AppError(Exception):
    """A failure to report to the playbook as the exit message."""


class App:
    """Looks one indicator up and maps the answer to outputs."""

    def __init__(self, inputs: dict, opener=None, sleep=time.sleep):
        self.inputs = inputs
        self.exit_message = ''
        # Tests pass their own opener and sleep; the app uses urllib's and time's.
        self.opener = opener or urllib.request.urlopen
        self.sleep = sleep

    def run(self) -> dict:
        """Returns the output variables, keyed by their names in install.json."""
        indicator = str(self.inputs.get('indicator') or '').strip()
        if not indicator:
            raise AppError('the Indicator input is empty')
        kind = str(self.inputs.get('indicator_type') or 'Address')
        if kind not in INDICATOR_TYPES:
            raise AppError(f'Indicator Type {kind!r} is not one of {", ".join(INDICATOR_TYPES)}')
        raw = self.fetch(self.service_url(indicator, kind))
        try:
            answer = json.loads(raw)
        except json.JSONDecodeError as err:
            raise AppError(f'the service did not answer JSON: {err}') from err
        if not isinstance(answer, dict):
            raise AppError('the service answered JSON that is not an object')
        score = answer.get('score')
        tags = [str(tag) for tag in answer.get('tags') or []]
        related = [
            {'id': '', 'value': str(item.get('value', '')), 'type': item.get('type')}
            for item in answer.get('related') or []
            if isinstance(item, dict) and item.get('type') in INDICATOR_TYPES and item.get('value')
        ]
        self.exit_message = f'Enriched {kind} {indicator}: score {score}, {len(tags)} tag(s), {len(related)} related.'
        return {
            '{{output_prefix}}.response.json.raw': raw,
            '{{output_prefix}}.results.score': '' if score is None else str(score),
            '{{output_prefix}}.results.tags': tags,
            '{{output_prefix}}.results.tags.count': str(len(tags)),
            '{{output_prefix}}.indicator': {'id': '', 'value': indicator, 'type': kind},
            '{{output_prefix}}.results.related': related,
        }

    def service_url(self, indicator: str, kind: str) -> str:
        """The Service URL with {indicator} and {type} filled in, URL-encoded."""
        template = str(self.inputs.get('service_url') or '').strip()
        if not template:
            raise AppError('the Service URL input is empty')
        return template.replace('{indicator}', urllib.parse.quote(indicator, safe='')).replace(
            '{type}', urllib.parse.quote(kind, safe='')
        )

    def number(self, name: str, default: float, low: float, high: float) -> float:
        """A numeric input within [low, high]."""
        text = str(self.inputs.get(name) if self.inputs.get(name) not in (None, '') else default)
        try:
            value = float(text)
        except ValueError as err:
            raise AppError(f'{name} must be a number, not {text!r}') from err
        if not low <= value <= high:
            raise AppError(f'{name} must be between {low:g} and {high:g}')
        return value

    def fetch(self, url: str) -> str:
        """The service's answer as text, with timeouts and retries."""
        if url.startswith('file:'):
            path = (HERE / url[len('file:') :]).resolve()
            if HERE not in path.parents:
                raise AppError('a file: Service URL must name a file inside the app')
            try:
                return path.read_text(encoding='utf-8')
            except OSError as err:
                raise AppError(f'cannot read {url}: {err.strerror}') from err
        if not url.startswith(('https://', 'http://')):
            raise AppError('the Service URL must start with https://, http:// or file:')
        timeout = self.number('timeout_seconds', 10, 1, 120)
        retries = int(self.number('retries', 2, 0, 5))
        headers = {'Accept': 'application/json', 'User-Agent': 'AppBuilder-enrichment/1.0'}
        if self.inputs.get('api_key'):
            headers['Authorization'] = f'Bearer {self.inputs["api_key"]}'
        last_failure = ''
        for attempt in range(retries + 1):
            if attempt:
                self.sleep(min(2 ** (attempt - 1), 8))
            try:
                with self.opener(urllib.request.Request(url, headers=headers), timeout=timeout) as response:
                    return response.read().decode('utf-8')
            except urllib.error.HTTPError as err:
                if err.code != 429 and err.code < 500:
                    raise AppError(f'the service answered {err.code} {err.reason}') from err
                last_failure = f'{err.code} {err.reason}'
            except (urllib.error.URLError, TimeoutError, OSError) as err:
                last_failure = str(getattr(err, 'reason', err))
        raise AppError(f'the service did not answer after {retries + 1} attempt(s): {last_failure}')
