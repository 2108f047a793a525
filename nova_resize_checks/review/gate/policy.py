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


"""What review code may use: the static gate's allow- and deny-lists.

Data only (and :func:`bad_dunder`); :mod:`.scanner` (the walk),
:mod:`.calls` (the call rules) and :mod:`.modules` (module paths) apply
it.  See the package's docstring for the rules.
"""


import sys

MAX_CHARS = 2000000


MAX_NODES = 400000


ALLOWED_IMPORTS = frozenset([
    '__future__', 'abc', 'collections', 'contextlib', 'copy', 'dataclasses',
    'datetime', 'enum', 'functools', 'io', 'itertools', 'json', 'logging',
    'math', 'operator', 'os', 're', 'random', 'string', 'sys', 'tempfile',
    'textwrap', 'threading', 'time', 'typing', 'uuid', 'warnings',
    'ddt', 'eventlet', 'fixtures', 'mock', 'pprint', 'testscenarios',
    'testtools', 'unittest',
    'nova', 'os_resource_classes', 'os_traits',
    # oslo_db, oslo_messaging (connections), oslo_concurrency (processes,
    # lock files) and oslo_policy are left out on purpose.
    'oslo_config', 'oslo_context', 'oslo_log', 'oslo_serialization',
    'oslo_utils', 'oslotest',
])


DENIED_IMPORTS = frozenset([
    # nova parts that run processes, open sockets or start services.
    'nova.cmd', 'nova.console', 'nova.crypto', 'nova.privsep',
    'nova.storage', 'nova.virt.disk', 'nova.virt.images',
    'nova.virt.libvirt', 'nova.virt.hyperv', 'nova.virt.vmwareapi',
    'nova.virt.zvm', 'nova.virt.powervm', 'nova.wsgi',
    'oslo_concurrency.processutils', 'oslo_privsep', 'oslo_rootwrap',
    'oslo_utils.fileutils', 'oslo_utils.importutils',
    'eventlet.backdoor', 'eventlet.convenience', 'eventlet.green',
    'eventlet.patcher', 'eventlet.tpool', 'eventlet.websocket',
    'eventlet.wsgi',
    'logging.config', 'logging.handlers', 'testtools.run',
])


DENIED_SEGMENTS = frozenset([
    'importutils', 'privsep', 'processutils', 'rootwrap', 'subprocess',
])


ALLOWED_OWN_MODULES = frozenset([
    'nova_resize_checks', 'nova_resize_checks.assertions',
    'nova_resize_checks.base', 'nova_resize_checks.env',
    'nova_resize_checks.fixtures', 'nova_resize_checks.outcome',
    'nova_resize_checks.virt',
])


MODULE_ATTRS_ALLOWED = {
    'os': frozenset([
        'PathLike', 'altsep', 'cpu_count', 'curdir', 'devnull', 'environ',
        'error', 'extsep', 'fsdecode', 'fsencode', 'fspath', 'getcwd',
        'getegid', 'getenv', 'geteuid', 'getgid', 'getpid', 'getppid',
        'getuid', 'linesep', 'listdir', 'lstat', 'name', 'pardir', 'path',
        'pathsep', 'scandir', 'sep', 'stat', 'strerror', 'uname', 'urandom',
        'walk',
    ]),
    'sys': frozenset([
        'argv', 'byteorder', 'exc_info', 'exception', 'executable', 'flags',
        'float_info', 'getdefaultencoding', 'getfilesystemencoding',
        'getrecursionlimit', 'getsizeof', 'hexversion', 'implementation',
        'maxsize', 'maxunicode', 'path', 'platform', 'stderr', 'stdout',
        'version', 'version_info',
    ]),
    'io': frozenset(['BytesIO', 'StringIO']),
    'eventlet': frozenset([
        'Event', 'GreenPool', 'Queue', 'Timeout', 'event', 'getcurrent',
        'greenpool', 'greenthread', 'queue', 'semaphore', 'sleep', 'spawn',
        'spawn_after', 'spawn_n', 'timeout',
    ]),
}


MODULE_ATTRS_DENIED = {
    'fixtures': frozenset(['PackagePathEntry', 'PythonPackage',
                           'PythonPathEntry']),
    'logging': frozenset(['FileHandler', 'config', 'handlers']),
    'nova.utils': frozenset(['execute', 'processutils', 'ssh_execute',
                             'tpool_execute', 'trycmd']),
    # attrgetter/methodcaller/Formatter reach attributes named by strings;
    # get_type_hints/ForwardRef evaluate strings.
    'operator': frozenset(['attrgetter', 'methodcaller']),
    'oslo_log.log': frozenset(['setup']),
    'string': frozenset(['Formatter']),
    'tempfile': frozenset(),
    'testtools': frozenset(['run']),
    'typing': frozenset(['ForwardRef', 'get_type_hints']),
    'unittest': frozenset(['TestLoader', 'TestProgram', 'defaultTestLoader',
                           'main']),
}


# Modules whose objects may not be used as values (see module docstring).
RESTRICTED_MODULES = frozenset(MODULE_ATTRS_ALLOWED) | frozenset(
    MODULE_ATTRS_DENIED)


DANGEROUS_ATTRS = frozenset([
    # modules
    '_posixsubprocess', '_socket', 'asyncio', 'builtins', 'cffi', 'codecs',
    'ctypes', 'fileutils', 'gc', 'http', 'importlib', 'importutils',
    'inspect', 'io', 'marshal', 'multiprocessing', 'nt', 'os', 'pathlib',
    'pickle', 'posix', 'privsep', 'processutils', 'pty', 'requests',
    'shelve', 'shutil', 'signal', 'socket', 'subprocess', 'sys', 'urllib',
    'webbrowser',
    # process, file and import functions
    'FileHandler', 'Popen', 'check_call', 'check_output', 'execl', 'execle',
    'execlp', 'execlpe', 'execute', 'execv', 'execve', 'execvp', 'execvpe',
    'exec_module', 'fork', 'forkpty', 'getoutput', 'getstatusoutput',
    'import_class', 'import_module', 'import_object', 'import_object_ns',
    'discover', 'exec_', 'killpg', 'loadTestsFromName',
    'loadTestsFromNames', 'load_module',
    'popen', 'posix_spawn', 'posix_spawnp',
    'putenv', 'rmtree', 'spawnl', 'spawnle', 'spawnlp', 'spawnlpe',
    'spawnv', 'spawnve', 'spawnvp', 'spawnvpe', 'ssh_execute', 'startfile',
    'system', 'trycmd', 'try_import', 'unsetenv',
    # interpreter internals
    '__builtins__', '__closure__', '__code__', '__delattr__', '__dict__',
    '__getattr__', '__getattribute__', '__globals__', '__import__',
    '__loader__', '__reduce__', '__reduce_ex__', '__self__', '__setattr__',
    '__spec__', '__subclasses__', 'ag_code', 'ag_frame', 'co_code',
    'cr_code', 'cr_frame', 'f_back', 'f_builtins', 'f_code', 'f_globals',
    'f_locals', 'gi_code', 'gi_frame', 'tb_frame', 'tb_next',
    # originals handed out by mock (an exec or open the gate never saw)
    'get_original', 'is_local', 'temp_original',
    # the call stack as data: where a call came from tells a mutant or the
    # sham from real nova without asking nova anything
    'findCaller', 'format_stack', 'extract_stack', 'print_stack',
    'walk_stack', 'walk_tb', 'extract_tb', 'format_tb', 'print_tb',
    'formatException', 'formatStack', 'format_exception', 'print_exception',
    'TracebackException', 'StackSummary', 'FrameSummary', 'f_lineno',
    'f_lasti', 'tb_lineno', 'tb_lasti', 'co_firstlineno', 'co_lines',
    'co_positions', 'co_lnotab', 'co_linetable', 'co_filename', 'co_name',
    'co_qualname', 'getframeinfo', 'currentframe', '_getframe',
    # where the warnings machinery hands a warning (its caller's file and
    # line) to code that asks
    'showwarning', '_showwarnmsg', '_showwarnmsg_impl', 'formatwarning',
    '_formatwarnmsg', '_formatwarnmsg_impl',
    # string.Formatter's own field walkers (see calls.format_problem)
    'vformat', 'get_field', 'formatter_field_name_split',
])


# Keyword arguments that put the call stack into data the test can read.
STACK_KEYWORDS = frozenset(['stack_info', 'stacklevel'])
# Arguments of the warnings machinery that do the same, by position or by
# keyword: a warning issued with a stack level carries its caller's file
# and line (a mutant's frame, not nova's), a filter by module or line
# matches on them, and a recording catch_warnings hands them over.
STACK_ARGUMENTS = {
    'warnings.warn': ((2, 'stacklevel'),),
    'warnings.catch_warnings': ((0, 'record'),),
    'warnings.simplefilter': ((2, 'lineno'),),
    'warnings.filterwarnings': ((3, 'module'), (4, 'lineno')),
}


# Attributes named like a standard-library module are refused on any object
# (``enum.bltns``, ``nova.tests.fixtures.sqlite3``, ``x.tempfile``): a
# module reached as an attribute slips past the import allow-list.  Only
# these harmless ones may be reached that way.
HARMLESS_MODULE_ATTRS = frozenset([
    'abc', 'array', 'base64', 'binascii', 'bisect', 'calendar', 'cmath',
    'collections', 'colorsys', 'contextlib', 'copy', 'dataclasses',
    'datetime', 'decimal', 'difflib', 'enum', 'errno', 'fractions',
    'functools', 'graphlib', 'hashlib', 'heapq', 'hmac', 'itertools',
    'json', 'keyword', 'math', 'numbers', 'operator', 'pprint', 'queue',
    'random', 're', 'secrets', 'stat', 'statistics', 'string', 'struct',
    'textwrap', 'threading', 'time', 'typing', 'unicodedata', 'uuid',
    'warnings', 'zoneinfo',
])


DANGEROUS_ATTRS = DANGEROUS_ATTRS | frozenset(
    name for name in sys.stdlib_module_names
    if name not in HARMLESS_MODULE_ATTRS) | frozenset([
        # objects that hand out modules or originals
        'getter', '_get_target', 'bltns', 'original', 'patcher',
        'import_patched', 'inject', 'pythonapi', 'sqlite3', 'hubs', 'green',
        'tpool', 'cffi', '_cffi_backend',
        # file, process, signal and socket operations on any object
        'open', 'fdopen', 'write_text', 'write_bytes', 'unlink',
        'symlink_to', 'hardlink_to', 'link_to', 'mkfifo', 'mknod', 'chmod',
        'lchmod', 'chown', 'lchown', 'truncate', 'ftruncate', 'setxattr',
        'removexattr', 'utime', 'kill', 'pthread_kill', 'setrlimit',
        'prlimit', 'dup2', 'sendto', 'sendmsg', 'connect', 'connect_ex',
        'create_connection', 'socketpair', 'fromfd', 'fork_exec', 'spawn',
        'set_start_method', 'get_context', 'Process', 'addaudithook',
        'settrace', 'setprofile', '_getframe', '_current_frames',
        'mkstemp', 'mkdtemp', 'NamedTemporaryFile', 'TemporaryFile',
        'SpooledTemporaryFile', 'TemporaryDirectory',
        # originals a started patcher keeps (``.start().temp_original``)
        'temp_original',
        # raw files under a text or buffered one (``type(f.raw)`` is
        # io.FileIO, an ``open`` by another name)
        'raw', 'detach', 'FileIO',
        # attribute tables and heap walks: a string subscript of
        # ``inspect.getmembers(x)`` is a computed getattr
        'getmembers', 'getmembers_static', 'getattr_static', 'get_objects',
        'get_referrers', 'get_referents', 'cell_contents',
        # what a patcher patches: ``mock.patch('os.x', create=True).target``
        # is the os module itself, past its attribute allow-list (round 11)
        'target',
        # the evaluating builtins reached as attributes
        # (``patcher.target.eval``): only bare calls of them are checked
        # (``compile`` is ``re.compile`` too; ``.target`` covers it)
        'eval', 'exec', 'breakpoint',
        # processes by other names
        '_get_command_stdout', 'create_subprocess_exec',
        'create_subprocess_shell', 'subprocess_exec', 'subprocess_shell',
        # this package's machinery: the variant's application, the run's
        # guard and its reporter are nothing a test may reach
        'mutants', 'runs', 'guard', 'worker', 'protocol', 'confinement',
        'known_caught', 'canonical', 'matrix', 'observer', 'children',
        'load_filter', 'install_reporter',
    ])


# Dunder attributes a test may use; every other one is refused.
DUNDERS_ALLOWED = frozenset([
    '__name__', '__qualname__', '__doc__', '__module__', '__init__',
    '__enter__', '__exit__', '__call__', '__len__', '__iter__', '__next__',
    '__eq__', '__ne__', '__contains__', '__getitem__', '__class__',
    '__file__',
])


DENIED_BUILTINS = frozenset([
    '__build_class__', '__builtins__', '__import__', '__loader__',
    '__spec__', 'breakpoint', 'compile', 'eval', 'exec', 'globals', 'help',
    'locals', 'vars',
])


# Builtins that are fine to call (with checks) but not to pass around.
CALL_ONLY_BUILTINS = frozenset(['delattr', 'getattr', 'open', 'setattr'])


TEMP_PREFIXES = ('/tmp/', '/var/tmp/', '/dev/shm/')


# What mock.patch & co. may not replace: the import machinery's state and
# the environment.
FORBIDDEN_PATCH = frozenset([
    'os.environ', 'sys.meta_path', 'sys.modules', 'sys.path',
    'sys.path_hooks', 'sys.path_importer_cache',
])


# Containers that may be read but not written.
CONTAINERS = frozenset(['os.environ', 'sys.path'])


CONTAINER_READERS = frozenset([
    '__contains__', '__getitem__', '__iter__', '__len__', 'copy', 'get',
    'items', 'keys', 'values',
])


# Containers whose contents must not leave in bulk, and what may be
# called on them: single lookups only.
SECRET_CONTAINERS = frozenset(['os.environ'])


KEY_READERS = frozenset(['__contains__', '__getitem__', 'get'])


SAFE_CONSUMERS = frozenset([
    'bool', 'dict', 'frozenset', 'len', 'list', 'repr', 'set', 'sorted',
    'str', 'tuple', 'copy.copy', 'copy.deepcopy',
])


# Calls that import the module a string names (mock.patch and friends).
IMPORTING_CALLS = frozenset([
    'MockPatch', 'MonkeyPatch', 'patch', 'stub_out',
])
IMPORTING_CALLS_ARG1 = frozenset(['import_group', 'import_opt'])


# Top-level modules a patch target may name: importing them has no side
# effect beyond defining things.
PATCH_TOPS = (
    (frozenset(sys.stdlib_module_names) | ALLOWED_IMPORTS | frozenset([
        'castellan', 'cinderclient', 'cursive', 'futurist', 'glanceclient',
        'keystoneauth1', 'keystonemiddleware', 'microversion_parse',
        'neutronclient', 'openstack', 'os_brick', 'os_vif', 'placement',
        'requests', 'routes', 'sqlalchemy', 'stevedore', 'webob',
        'wsgi_intercept',
    ]))
    - frozenset(['antigravity', 'code', 'ctypes', 'ensurepip',
                 'idlelib', 'importlib', 'multiprocessing', 'pdb',
                 'pickle', 'posix', 'runpy', 'shutil', 'socket',
                 'subprocess', '_posixsubprocess', 'pathlib', 'sqlite3',
                 'pydoc', 'site', 'test', 'this', 'tkinter', 'turtle',
                 'turtledemo', 'venv', 'webbrowser']))


# Private names of these packages may be used (tests patch nova's private
# helpers all the time); private names of other modules may not
# (``mock._importer``, ``sys._getframe``, ``os._exit``, ...).
OWN_TREES = frozenset(['nova', 'nova_resize_checks'])


def bad_dunder(attr):
    return (attr.startswith('__') and attr.endswith('__') and
            attr not in DUNDERS_ALLOWED)
