"""Entry point of {{display_name}}: read the inputs, run the app, record outputs and exit message.

The same contract everywhere AppBuilder runs the app:
* inputs: a JSON object keyed by param name, from the file named by TC_APP_PARAM_FILE, else
  app_inputs.json in the working directory; params missing from it take their install.json default;
* outputs: the values App.run() returns, keyed by output variable name, written as JSON
  ([{"name", "type", "value"}]) to TC_APP_OUTPUT_FILE, else out/outputs.json;
* exit message (at most 255 characters): out/message.tc, or TC_OUT_PATH/message.tc;
* webhook triggers: the request ({"method", "headers", "params", "body"}) from the file named by
  TC_WEBHOOK_EVENT_FILE, else webhook_event.json, goes to App.webhook_event(), which returns the
  outputs to fire the playbook with, or None to ignore the request; an App.response
  ({"status", "headers", "body"}) is the answer for the caller, written to out/response.json.
"""

import json
import os
import sys
import traceback
from pathlib import Path

from app import App, AppError

HERE = Path(__file__).resolve().parent


def load_inputs() -> dict:
    """The inputs, with install.json defaults for the params that were not given."""
    install = json.loads((HERE / 'install.json').read_text(encoding='utf-8'))
    source = os.environ.get('TC_APP_PARAM_FILE') or 'app_inputs.json'
    given = json.loads(Path(source).read_text(encoding='utf-8')) if Path(source).is_file() else {}
    inputs = {}
    for param in install.get('params', []):
        name = param['name']
        if name in given:
            inputs[name] = given[name]
        elif 'default' in param:
            inputs[name] = param['default']
        elif param.get('type') == 'Boolean':
            inputs[name] = False
    for name, value in given.items():
        inputs.setdefault(name, value)
    return inputs


def output_types() -> dict:
    """Declared output variables: name -> list of types."""
    install = json.loads((HERE / 'install.json').read_text(encoding='utf-8'))
    declared = {}
    for output in (install.get('playbook') or {}).get('outputVariables', []):
        declared.setdefault(output['name'], []).append(output['type'])
    return declared


def write_results(outputs: dict, message: str) -> None:
    """Writes the output variables and the exit message where the runtime looks for them."""
    out_dir = Path(os.environ.get('TC_OUT_PATH') or 'out')
    out_dir.mkdir(parents=True, exist_ok=True)
    declared = output_types()
    records = []
    for name, value in outputs.items():
        if name not in declared:
            raise AppError(f'output {name} is not declared in install.json')
        records.append({'name': name, 'type': declared[name][0], 'value': value})
    output_file = Path(os.environ.get('TC_APP_OUTPUT_FILE') or out_dir / 'outputs.json')
    output_file.write_text(json.dumps(records, indent=2), encoding='utf-8')
    (out_dir / 'message.tc').write_text(message[:255], encoding='utf-8')


def main() -> int:
    """Runs the app once; 0 on success, 1 on failure."""
    try:
        app = App(load_inputs())
        if hasattr(app, 'webhook_event'):
            source = Path(os.environ.get('TC_WEBHOOK_EVENT_FILE') or 'webhook_event.json')
            event = json.loads(source.read_text(encoding='utf-8'))
            outputs = app.webhook_event(
                event.get('method', 'POST'), event.get('headers', {}), event.get('params', {}), event.get('body', '')
            )
            if outputs is None:
                outputs = {}
        else:
            outputs = app.run()
        write_results(outputs, app.exit_message)
        response = getattr(app, 'response', None)
        if response is not None:
            out_dir = Path(os.environ.get('TC_OUT_PATH') or 'out')
            (out_dir / 'response.json').write_text(json.dumps(response), encoding='utf-8')
        print(app.exit_message)
        return 0
    except AppError as err:
        write_results({}, f'Failed: {err}')
        print(f'Failed: {err}', file=sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 (the last resort: report any failure to the playbook)
        traceback.print_exc()
        write_results({}, f'Unexpected error: {err}')
        return 1


if __name__ == '__main__':
    sys.exit(main())
