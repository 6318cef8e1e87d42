"""{{display_name}}: low-volume alert processing — parses a JSON alert into normalised outputs.

A webhook delivery runs the app with its body as the trg.http.body input (or give the alert as the
Alert (JSON) input). The alert's title, severity (normalised to low, medium, high or critical),
source and raw JSON become outputs; the indicators it names — listed under "indicators" or found
in its text — become TCEntity values of the standard types.
"""

import json
import re

SEVERITIES = ('low', 'medium', 'high', 'critical')
# Numbers some systems send, from 1 (lowest) to 10.
NUMERIC = {range(0, 4): 'low', range(4, 7): 'medium', range(7, 9): 'high', range(9, 11): 'critical'}
FOUND_IN_TEXT = (
    ('URL', re.compile(r'\bhttps?://[^\s"<>]+', re.IGNORECASE)),
    ('EmailAddress', re.compile(r'\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b')),
    ('Address', re.compile(r'\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b')),
    ('File', re.compile(r'\b(?:[a-f0-9]{64}|[a-f0-9]{40}|[a-f0-9]{32})\b', re.IGNORECASE)),
    ('Host', re.compile(r'\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:com|net|org|io|info|biz|ru|cn|xyz|top)\b', re.IGNORECASE)),
)
TYPE_NAMES = {'url': 'URL', 'email': 'EmailAddress', 'emailaddress': 'EmailAddress', 'ip': 'Address',
              'address': 'Address', 'host': 'Host', 'domain': 'Host', 'hash': 'File', 'file': 'File'}


class AppError(Exception):
    """A failure to report to the playbook as the exit message."""


def severity_of(value) -> str:
    """low, medium, high or critical from a word or a number from 1 to 10."""
    text = str(value if value is not None else '').strip().lower()
    if text in SEVERITIES:
        return text
    if text in ('info', 'informational'):
        return 'low'
    try:
        number = int(float(text))
    except ValueError:
        return 'low'
    return next((name for span, name in NUMERIC.items() if number in span), 'critical' if number > 10 else 'low')


def entity(kind: str, value: str) -> dict:
    return {'id': '', 'value': value, 'type': kind}


def indicators_of(alert: dict) -> list:
    """The alert's indicators, listed ones first, then those found in its text; each once."""
    found = []
    for item in alert.get('indicators') or []:
        if isinstance(item, dict) and item.get('value'):
            kind = TYPE_NAMES.get(str(item.get('type', '')).lower())
            found.extend([entity(kind, str(item['value']))] if kind else scan(str(item['value'])))
        elif isinstance(item, str):
            found.extend(scan(item))
    text = ' '.join(str(alert.get(field, '')) for field in ('title', 'description', 'details'))
    found.extend(scan(text))
    seen, unique = set(), []
    for item in found:
        key = (item['type'], item['value'].lower())
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def scan(text: str) -> list:
    """Indicators found in free text; a host inside a URL or an email address is not repeated."""
    found, taken = [], []
    for kind, pattern in FOUND_IN_TEXT:
        for match in pattern.finditer(text):
            if any(start <= match.start() < end for start, end in taken):
                continue
            taken.append(match.span())
            found.append(entity(kind, match.group(0).rstrip('.,;)')))
    return found


class App:
    """Parses one alert."""

    def __init__(self, inputs: dict):
        self.inputs = inputs
        self.exit_message = ''
        # The answer for a webhook caller that waits for one.
        self.response = None

    def run(self) -> dict:
        raw = str(self.inputs.get('alert_json') or self.inputs.get('trg.http.body') or '').strip()
        if not raw:
            raise AppError('no alert: give Alert (JSON), or start the app from a webhook delivery')
        try:
            alert = json.loads(raw)
        except json.JSONDecodeError as err:
            raise AppError(f'the alert is not JSON: {err}') from err
        if not isinstance(alert, dict):
            raise AppError('the alert is JSON but not an object')
        severity = severity_of(alert.get('severity', alert.get('priority')))
        minimum = str(self.inputs.get('min_severity') or 'low').lower()
        passed = SEVERITIES.index(severity) >= SEVERITIES.index(minimum if minimum in SEVERITIES else 'low')
        indicators = indicators_of(alert) if passed else []
        title = str(alert.get('title') or alert.get('name') or '(untitled)')
        self.exit_message = (
            f'Alert "{title}" ({severity}): {len(indicators)} indicator(s).'
            if passed
            else f'Alert "{title}" ({severity}) is below {minimum}: recorded, not passed on.'
        )
        self.response = {
            'status': 200,
            'headers': {'Content-Type': 'application/json'},
            'body': json.dumps({'accepted': passed, 'severity': severity, 'indicators': len(indicators)}),
        }
        return {
            '{{output_prefix}}.response.json.raw': raw,
            '{{output_prefix}}.results.alert.title': title,
            '{{output_prefix}}.results.alert.severity': severity,
            '{{output_prefix}}.results.alert.source': str(alert.get('source') or ''),
            '{{output_prefix}}.results.alert.passed': 'true' if passed else 'false',
            '{{output_prefix}}.indicators': indicators,
            '{{output_prefix}}.indicators.count': str(len(indicators)),
            '{{output_prefix}}.indicators.address': [i['value'] for i in indicators if i['type'] == 'Address'],
        }
