# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.


"""Size and shape of the package: long modules, long and complex functions.

    pip install radon
    python tools/shape.py [--ref REF] [--under nova_resize_checks/review]

Prints, for this tree (and a git ref of it, side by side): modules over
500 lines, functions over 60 lines, functions whose cyclomatic complexity
(radon's) is over 20, and the worst of each.  A measurement, not a gate.
"""

import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure(root, under):
    try:
        from radon import complexity
    except ImportError:
        sys.exit('tools/shape.py needs radon: pip install radon')
    modules, long_functions, complex_functions = [], [], []
    for folder, _dirs, names in os.walk(os.path.join(root, under)):
        for name in sorted(names):
            if not name.endswith('.py'):
                continue
            path = os.path.join(folder, name)
            with open(path) as f:
                source = f.read()
            rel = os.path.relpath(path, root)
            lines = source.count('\n')
            modules.append((lines, rel))
            blocks = []
            for block in complexity.cc_visit(source):
                # A class counts by its methods, not as one long block.
                blocks.extend(getattr(block, 'methods', None) or [block]
                              if not hasattr(block, 'methods') else
                              block.methods)
            for block in blocks:
                length = block.endline - block.lineno + 1
                label = '%s:%s' % (rel, block.name)
                if length > 60:
                    long_functions.append((length, label))
                if block.complexity > 20:
                    complex_functions.append((block.complexity, label))
    return {'modules': len(modules),
            'lines': sum(n for n, _ in modules),
            'over 500 lines': sorted(m for m in modules if m[0] > 500)[::-1],
            'functions over 60 lines': sorted(long_functions)[::-1],
            'complexity over 20': sorted(complex_functions)[::-1]}


def report(label, found):
    print('%s: %d modules, %d lines' % (label, found['modules'],
                                        found['lines']))
    for key in ('over 500 lines', 'functions over 60 lines',
                'complexity over 20'):
        items = found[key]
        print('  %s: %d%s' % (key, len(items), ''.join(
            '\n    %5d  %s' % item for item in items[:8])))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--ref', help='also measure this git ref')
    parser.add_argument('--under', default=os.path.join('nova_resize_checks',
                                                        'review'))
    args = parser.parse_args()
    if args.ref:
        with tempfile.TemporaryDirectory() as tmp:
            archive = subprocess.run(
                ['git', '-C', HERE, 'archive', args.ref, args.under],
                stdout=subprocess.PIPE, check=True).stdout
            subprocess.run(['tar', '-x', '-C', tmp], input=archive,
                           check=True)
            report(args.ref, measure(tmp, args.under))
    report('this tree', measure(HERE, args.under))
    return 0


if __name__ == '__main__':
    sys.exit(main())
