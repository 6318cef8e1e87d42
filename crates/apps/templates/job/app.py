"""{{display_name}}: a job app that reads an indicator feed."""

import urllib.request
from pathlib import Path


class AppError(Exception):
    """A failure to report as the exit message."""


class App:
    """Reads a feed and counts its indicators."""

    def __init__(self, inputs: dict):
        self.inputs = inputs
        self.exit_message = ''

    def run(self) -> dict:
        """Job apps declare no playbook outputs; the exit message is the report."""
        text = self.fetch(str(self.inputs.get('feed_url') or ''))
        try:
            limit = int(self.inputs.get('max_indicators') or 1000)
        except ValueError as err:
            raise AppError('Maximum Indicators must be a whole number') from err
        indicators = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith('#')]
        self.exit_message = f'Read {min(len(indicators), limit)} indicator(s) from the feed.'
        return {}

    def fetch(self, url: str) -> str:
        """The feed's text, from a local file (file:...) or over HTTPS."""
        if not url:
            raise AppError('the Feed URL is empty')
        if url.startswith('file:'):
            return Path(url[len('file:'):]).read_text(encoding='utf-8')
        request = urllib.request.Request(url)
        if self.inputs.get('api_key'):
            request.add_header('Authorization', f'Bearer {self.inputs["api_key"]}')
        with urllib.request.urlopen(request, timeout=30) as response:  # nosec: the URL is the admin's input
            return response.read().decode('utf-8', errors='replace')
