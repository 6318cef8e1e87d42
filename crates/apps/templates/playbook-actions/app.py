"""{{display_name}}: the app's logic, one method per action (the tc_action input picks it)."""

import re


class AppError(Exception):
    """A failure to report to the playbook as the exit message."""


class App:
    """Defangs or refangs indicators."""

    def __init__(self, inputs: dict):
        self.inputs = inputs
        self.exit_message = ''

    def run(self) -> dict:
        """Dispatches on tc_action and returns the output variables."""
        actions = {'Defang': self.defang, 'Refang': self.refang}
        action = self.inputs.get('tc_action')
        if action not in actions:
            raise AppError(f'unknown action {action!r}; expected one of {", ".join(actions)}')
        indicators = self.inputs.get('indicators') or []
        if isinstance(indicators, str):
            indicators = [indicators]
        results = [actions[action](str(value).strip()) for value in indicators if str(value).strip()]
        self.exit_message = f'{action}: {len(results)} indicator(s).'
        return {
            '{{output_prefix}}.results.indicators': results,
            '{{output_prefix}}.results.indicators.count': str(len(results)),
        }

    def defang(self, value: str) -> str:
        """hxxp scheme, [.] dots, and optionally [@]."""
        value = re.sub(r'^http', 'hxxp', value, flags=re.IGNORECASE)
        value = value.replace('.', '[.]')
        if self.inputs.get('defang_email'):
            value = value.replace('@', '[@]')
        return value

    @staticmethod
    def refang(value: str) -> str:
        """Undoes the usual defanging notations."""
        value = re.sub(r'^hxxp', 'http', value, flags=re.IGNORECASE)
        for defanged, plain in (('[.]', '.'), ('(.)', '.'), ('[@]', '@'), ('[:]', ':')):
            value = value.replace(defanged, plain)
        return value
