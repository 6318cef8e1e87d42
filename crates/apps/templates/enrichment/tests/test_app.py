"""Tests of {{display_name}}: python3 -m unittest discover -s tests -t . (from the app folder)."""

import io
import json
import unittest
import urllib.error

from app import App, AppError

PREFIX = '{{output_prefix}}'


class FakeService:
    """Answers each request with the next of `answers` (bytes, or an exception to raise)."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []

    def __call__(self, request, timeout):
        self.requests.append((request, timeout))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return io.BytesIO(answer)


def http_error(code):
    return urllib.error.HTTPError('https://svc', code, 'error', {}, None)


def inputs(**extra):
    values = {'indicator': '8.8.8.8', 'indicator_type': 'Address', 'service_url': 'https://svc/lookup?v={indicator}'}
    values.update(extra)
    return values


ANSWER = json.dumps({'score': 7, 'tags': ['dns'], 'related': [{'type': 'Host', 'value': 'dns.google'}]}).encode()


class EnrichmentTest(unittest.TestCase):
    def test_the_answer_becomes_raw_and_parsed_outputs(self):
        service = FakeService(ANSWER)
        outputs = App(inputs(api_key='s3cret'), opener=service, sleep=lambda s: None).run()
        self.assertEqual(outputs[f'{PREFIX}.response.json.raw'], ANSWER.decode())
        self.assertEqual(outputs[f'{PREFIX}.results.score'], '7')
        self.assertEqual(outputs[f'{PREFIX}.results.tags'], ['dns'])
        self.assertEqual(outputs[f'{PREFIX}.indicator'], {'id': '', 'value': '8.8.8.8', 'type': 'Address'})
        self.assertEqual(outputs[f'{PREFIX}.results.related'], [{'id': '', 'value': 'dns.google', 'type': 'Host'}])
        request, timeout = service.requests[0]
        self.assertEqual(request.full_url, 'https://svc/lookup?v=8.8.8.8')
        self.assertEqual(request.get_header('Authorization'), 'Bearer s3cret')
        self.assertEqual(timeout, 10.0)

    def test_timeouts_and_5xx_are_retried_with_backoff(self):
        waits = []
        service = FakeService(TimeoutError('timed out'), http_error(503), ANSWER)
        App(inputs(retries='2'), opener=service, sleep=waits.append).run()
        self.assertEqual(len(service.requests), 3)
        self.assertEqual(waits, [1, 2])

    def test_a_client_error_is_final(self):
        service = FakeService(http_error(404), ANSWER)
        with self.assertRaisesRegex(AppError, '404'):
            App(inputs(), opener=service, sleep=lambda s: None).run()
        self.assertEqual(len(service.requests), 1)

    def test_giving_up_names_the_last_failure(self):
        service = FakeService(http_error(502), http_error(502))
        with self.assertRaisesRegex(AppError, 'after 2 attempt'):
            App(inputs(retries='1'), opener=service, sleep=lambda s: None).run()

    def test_bad_inputs_are_refused_before_any_call(self):
        service = FakeService()
        for bad in (inputs(indicator=' '), inputs(indicator_type='Galaxy'), inputs(timeout_seconds='0'),
                    inputs(service_url='ftp://svc'), inputs(service_url='file:../../etc/passwd')):
            with self.assertRaises(AppError):
                App(bad, opener=service, sleep=lambda s: None).run()
        self.assertEqual(service.requests, [])


if __name__ == '__main__':
    unittest.main()
