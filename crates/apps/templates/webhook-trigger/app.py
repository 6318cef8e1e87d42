"""{{display_name}}: turns webhook deliveries into playbook runs."""

import hmac
import json


class AppError(Exception):
    """A failure to report as the exit message."""


class App:
    """Parses an alert delivered by webhook."""

    def __init__(self, inputs: dict):
        self.inputs = inputs
        self.exit_message = ''
        # The answer for the caller when the webhook waits for one (AppBuilder: "respond").
        self.response = None

    def webhook_event(self, method: str, headers: dict, params: dict, body: str):
        """Returns the outputs to fire the playbook with, or None to ignore the delivery."""
        del params  # query parameters are not used by this trigger
        expected = str(self.inputs.get('shared_secret') or '')
        given = {k.lower(): v for k, v in headers.items()}.get('x-webhook-secret', '')
        if not expected or not hmac.compare_digest(str(given), expected):
            raise AppError('the delivery did not carry the shared secret')
        if method.upper() != 'POST':
            self.exit_message = f'Ignored a {method} request.'
            return None
        try:
            alert = json.loads(body or '{}')
        except json.JSONDecodeError as err:
            raise AppError(f'the body is not JSON: {err}') from err
        severity = str(alert.get('severity', '')).lower()
        wanted = [s.strip().lower() for s in str(self.inputs.get('severities') or '').split('|') if s.strip()]
        if wanted and severity not in wanted:
            self.exit_message = f'Ignored an alert of severity {severity or "none"}.'
            return None
        self.exit_message = f'Fired for alert {alert.get("title", "(untitled)")}.'
        self.response = {
            'status': 200,
            'headers': {'Content-Type': 'application/json'},
            'body': json.dumps({'fired': True, 'title': alert.get('title', '')}),
        }
        return {
            '{{output_prefix}}.response.json.raw': json.dumps(alert),
            '{{output_prefix}}.results.alert.title': str(alert.get('title', '')),
            '{{output_prefix}}.results.alert.severity': severity,
            '{{output_prefix}}.results.indicators': [str(i) for i in alert.get('indicators', [])],
        }
