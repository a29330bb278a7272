"""Every private or undocumented Textual name DealDesk uses or overrides, in one table.

textual is pinned (pyproject.toml). Before raising the pin, read each row's `check` against
the new version's source. tests/test_textual_internals.py fails if a listed name is gone
from the installed Textual, if the installed version is not TEXTUAL_VERSION (so this table is
looked at again), or if src/dealdesk/tui/ or cli.py touches a private Textual name that is
not listed here.

Not replaced by public API:
- The help box is a box in a layer of DeskScreen rather than a ModalScreen: pushing a screen
  redraws the whole terminal, showing a box redraws only its region. Routing keys to it while
  the focus stays put is what `Screen._binding_chain` is overridden for.
- textual.lazy.Lazy defers mounting, not the costs these overrides avoid (footer rebuilds,
  scrollbar repaints on every layout, whole-screen repaints on focus moves).
- Replaced: SearchInput's paste was an override of `Input._on_paste` (after which Textual's
  ran too, so a paste that fit went in twice); it is now `on_paste` with prevent_default(),
  on Input's public insert_text_at_cursor and replace.
- Textual 8.2.8 has no public way to keep a crash's traceback off stderr or to learn which
  exception stopped the app: `App.return_code` says only that it did (1).
"""

from __future__ import annotations

from typing import Final

from ..value import Value

TEXTUAL_VERSION: Final = "8.2.8"  # the version every row was checked against


class Internal(Value):
    """One Textual name we rely on: where Textual defines it, where we use it, why."""

    module: str  # the Textual module that defines it
    owner: str | None  # its class there; None for a name of the module itself
    name: str  # the attribute, method or module-level name
    used_in: str  # our module and class or function
    why: str
    check: str  # what to verify when upgrading Textual


INTERNALS: Final[tuple[Internal, ...]] = (
    # -- the terminal driver (tui/driver.py) ----------------------------------------------
    Internal(
        "textual._xterm_parser", None, "XTermParser",
        "tui/driver.py DeskDriver.run_input_thread",
        "the input loop is replaced whole, and feeds Textual's parser what ReplyFilter passes",
        "the module still exists; XTermParser(debug).feed(str) still yields events"),
    Internal(
        "textual.drivers.linux_driver", "LinuxDriver", "run_input_thread",
        "tui/driver.py DeskDriver.run_input_thread",
        "Textual's loop spins on read() = 0 bytes and decodes strictly; ours ends and replaces",
        "diff Textual's run_input_thread against ours (same structure, same events posted)"),
    Internal(
        "textual.drivers.linux_driver", "LinuxDriver", "_file",
        "tui/driver.py DeskDriver.__init__, _get_terminal_size, _forced_exit",
        "the writer thread's stream, replaced to write to the terminal (never a redirected "
        "stderr) in its charset, dropping writes once it is gone",
        "still set in __init__ and handed to WriterThread at start_application_mode"),
    Internal(
        "textual.drivers.linux_driver", "LinuxDriver", "_get_terminal_size",
        "tui/driver.py DeskDriver._get_terminal_size",
        "Textual asks shutil, which believes stale $COLUMNS/$LINES; ours asks the terminal",
        "still the one place the driver reads the size (start and SIGWINCH)"),
    Internal(
        "textual.drivers.linux_driver", "LinuxDriver", "attrs_before",
        "tui/driver.py DeskDriver._forced_exit",
        "the termios state to put back when the normal exit hangs",
        "still the tcgetattr() result taken in start_application_mode, or None"),
    Internal(
        "textual.drivers.linux_driver", "LinuxDriver", "exit_event",
        "tui/driver.py DeskDriver.run_input_thread",
        "the input loop's stop signal, set by stop_application_mode",
        "still a threading.Event the input thread polls"),
    Internal(
        "textual.driver", "Driver", "_debug",
        "tui/driver.py DeskDriver.run_input_thread",
        "passed to XTermParser as Textual's own loop does",
        "still the debug flag given to __init__"),
    Internal(
        "textual.driver", "Driver", "_app",
        "tui/driver.py DeskDriver.stop_for_signal, _typing_into_input",
        "a signal exits the app it drives; a flood of text goes to a focused Input as a paste",
        "still the App instance given to __init__"),
    # -- screens and widgets ----------------------------------------------------------------
    Internal(
        "textual.screen", "Screen", "_binding_chain",
        "tui/screens/base.py DeskScreen._binding_chain",
        "with help open, keys go to the help box first although the focus stays put",
        "still the property check_bindings and active_bindings walk, same (node, map) pairs"),
    Internal(
        "textual.dom", "DOMNode", "_bindings",
        "tui/screens/base.py DeskScreen._binding_chain",
        "the help box's own bindings, put first in the chain",
        "still the BindingsMap _binding_chain pairs with each node"),
    Internal(
        "textual.screen", "Screen", "focused",
        "tui/screens/base.py DeskScreen.focused",
        "redefined with repaint=False: a focus move repainted the whole screen",
        "still a Reactive (not a property) on Screen, set by set_focus"),
    Internal(
        "textual.widgets._footer", "Footer", "_bindings_ready",
        "tui/footer.py KeysFooter.compose",
        "compose records the keys it drew only once Textual has bindings to draw",
        "still the flag compose checks, set in bindings_changed"),
    Internal(
        "textual.widgets._footer", "Footer", "bindings_changed",
        "tui/footer.py KeysFooter.bindings_changed",
        "an unchanged set of keys is not rebuilt (a dozen widgets every focus change)",
        "still called by Screen on every binding refresh, and recompose all it does"),
    Internal(
        "textual.scroll_view", "ScrollView", "_size_updated",
        "tui/panels/table.py PanelTable._size_updated",
        "only a table whose shape changed repaints its scrollbars on a layout",
        "same signature; returns whether the size changed; still called on every layout"),
    Internal(
        "textual.app", "App", "action_help_quit",
        "tui/app.py DealDeskApp.action_help_quit",
        "Textual's ctrl+c hint is markup; our toasts are plain text",
        "still bound to ctrl+c in App.BINDINGS"),
    Internal(
        "textual.app", "App", "_driver",
        "tui/alerting.py Alerting._desktop_notify",
        "desktop notifications are escape sequences written to the terminal as they are: "
        "Textual has no public raw write (copy_to_clipboard and bell use _driver too)",
        "still the running Driver or None; Driver.write and flush still public"),
    # -- memory (tui/linecache.py) -----------------------------------------------------------
    Internal(
        "textual._styles_cache", "StylesCache", "get_inner_outer",
        "tui/linecache.py release_line_caches (on every screen resume, tui/screens/base.py)",
        "an lru_cache on the method keeps the StylesCache of every widget it was asked of, "
        "with its drawn lines, after the widget is gone: 6,000-10,000 objects per search "
        "opened and closed",
        "still an lru_cache (cache_clear) whose key holds the StylesCache; if it no longer "
        "holds the instance, benchmarks/screen_churn.py shows no growth without this"),
    # -- the dashboard's exit (cli.py) -------------------------------------------------------
    Internal(
        "textual.app", "App", "_print_error_renderables",
        "cli.py _dashboard",
        "replaced by _exit_renderables.clear without --debug: a crash is one line, not a "
        "traceback",
        "still called once after the app stops, printing _exit_renderables to stderr"),
    Internal(
        "textual.app", "App", "_exit_renderables",
        "cli.py _dashboard",
        "the crash's traceback, dropped without --debug",
        "still the list _fatal_error and panic append to"),
    Internal(
        "textual.app", "App", "_exception",
        "cli.py _dashboard_exit",
        "the exception that stopped the app, named in the one-line error (return_code is 1)",
        "still set by _handle_exception to the first unhandled exception"),
)
