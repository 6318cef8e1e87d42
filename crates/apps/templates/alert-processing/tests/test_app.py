"""Tests of {{display_name}}: python3 -m unittest discover -s tests -t . (from the app folder)."""

import json
import unittest

from app import App, AppError, severity_of

PREFIX = '{{output_prefix}}'


def run(alert, **inputs):
    return App({'trg.http.body': json.dumps(alert), 'min_severity': 'low', **inputs}).run()


class AlertProcessingTest(unittest.TestCase):
    def test_a_webhook_body_becomes_normalised_outputs_and_entities(self):
        outputs = run({
            'title': 'Phish reported', 'severity': 'HIGH', 'source': 'mail-gw',
            'description': 'Link to http://bad.example.org/login from spoof@bad.example.org, relay 198.51.100.4',
            'indicators': [{'type': 'domain', 'value': 'bad.example.org'}, {'type': 'hash', 'value': 'a' * 64}],
        })
        self.assertEqual(outputs[f'{PREFIX}.results.alert.severity'], 'high')
        self.assertEqual(outputs[f'{PREFIX}.results.alert.source'], 'mail-gw')
        entities = outputs[f'{PREFIX}.indicators']
        self.assertIn({'id': '', 'value': 'bad.example.org', 'type': 'Host'}, entities)
        self.assertIn({'id': '', 'value': 'a' * 64, 'type': 'File'}, entities)
        self.assertIn({'id': '', 'value': 'http://bad.example.org/login', 'type': 'URL'}, entities)
        self.assertIn({'id': '', 'value': 'spoof@bad.example.org', 'type': 'EmailAddress'}, entities)
        self.assertEqual(outputs[f'{PREFIX}.indicators.address'], ['198.51.100.4'])
        self.assertEqual(outputs[f'{PREFIX}.indicators.count'], str(len(entities)))
        self.assertEqual(len({(e['type'], e['value']) for e in entities}), len(entities), 'each once')

    def test_severities_from_words_and_numbers(self):
        self.assertEqual([severity_of(v) for v in ('Critical', 'info', 2, '5', 8, 10, None)],
                         ['critical', 'low', 'low', 'medium', 'high', 'critical', 'low'])

    def test_alerts_below_the_minimum_are_recorded_without_indicators(self):
        outputs = run({'title': 'Noise', 'severity': 'low', 'description': '10.0.0.1'}, min_severity='high')
        self.assertEqual(outputs[f'{PREFIX}.results.alert.passed'], 'false')
        self.assertEqual(outputs[f'{PREFIX}.indicators'], [])

    def test_the_input_wins_over_the_webhook_body_and_bad_json_fails(self):
        outputs = App({'alert_json': '{"title": "given"}', 'trg.http.body': '{"title": "body"}'}).run()
        self.assertEqual(outputs[f'{PREFIX}.results.alert.title'], 'given')
        for bad in ('', 'not json', '[1, 2]'):
            with self.assertRaises(AppError):
                App({'trg.http.body': bad}).run()


if __name__ == '__main__':
    unittest.main()
