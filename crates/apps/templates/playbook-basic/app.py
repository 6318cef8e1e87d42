"""{{display_name}}: the app's logic. run.py handles inputs, outputs and the exit message."""


class AppError(Exception):
    """A failure to report to the playbook as the exit message."""


class App:
    """Cleans up a piece of text."""

    def __init__(self, inputs: dict):
        self.inputs = inputs
        self.exit_message = ''

    def run(self) -> dict:
        """Returns the output variables, keyed by their names in install.json."""
        text = str(self.inputs.get('text') or '').strip()
        if not text:
            raise AppError('the Text input is empty')
        if self.inputs.get('upper_case'):
            text = text.upper()
        self.exit_message = f'Processed {len(text)} characters.'
        return {
            '{{output_prefix}}.results.text': text,
            '{{output_prefix}}.results.length': str(len(text)),
        }
