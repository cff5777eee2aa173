// SPDX-License-Identifier: GPL-2.0-only
#include "view/top_view.h"
#include "view/abuse_status.h"
#include "smtpfence.h"

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HELP                                                                                       \
	"q quit  < > sort column  R reverse  / filter  = clear filter  g user/tenant  "            \
	"p pause  d interval  space refresh  ? help"

/* The keys, one a line, for '?'. */
static const char *const keys_help[] = {
	"q          quit",
	"< >        sort by the column to the left or right",
	"R          reverse the order",
	"/          show only rows containing a text (Esc cancels, Enter with nothing clears)",
	"=          clear the filter",
	"g          group by user or by tenant",
	"p          pause or resume",
	"d or s     change the interval between samples",
	"space      sample now",
	"?          this help; any key closes it",
	"",
	"ACTION: what the rules do to the tenant (deny, log, limit, redirect, allow),",
	"or quarantined. TREND 1m: attempts/s of the last minute, newest at the right.",
	"Colours: deny red, limit yellow, log cyan, redirect magenta, allow green",
	"(none when NO_COLOR is set or the terminal has none).",
};

/* Colour pairs, by action. */
enum { PAIR_DENY = 1, PAIR_LIMIT, PAIR_LOG, PAIR_REDIRECT, PAIR_ALLOW };

struct view {
	struct sf_top_model *m;
	struct sf_top_state *st;
	char message[SF_TOP_LINE]; /* the line under the header: errors, prompts */
	bool colour;		   /* the terminal has colours and NO_COLOR is unset */
	bool help;		   /* '?' shows the keys until the next key */
};

/* https://no-color.org: set and not empty means no colour. */
static bool colour_wanted(void)
{
	const char *no = getenv("NO_COLOR");

	return !(no && *no) && has_colors();
}

static void colours_init(struct view *v)
{
	v->colour = colour_wanted();
	if (!v->colour)
		return;
	start_color();
	use_default_colors();
	init_pair(PAIR_DENY, COLOR_RED, -1);
	init_pair(PAIR_LIMIT, COLOR_YELLOW, -1);
	init_pair(PAIR_LOG, COLOR_CYAN, -1);
	init_pair(PAIR_REDIRECT, COLOR_MAGENTA, -1);
	init_pair(PAIR_ALLOW, COLOR_GREEN, -1);
}

static attr_t action_attr(const struct sf_top_row *r)
{
	if (r->quarantined)
		return COLOR_PAIR(PAIR_DENY) | A_BOLD;
	switch (r->action) {
	case SF_ACT_DENY:
		return COLOR_PAIR(PAIR_DENY);
	case SF_ACT_LIMIT:
		return COLOR_PAIR(PAIR_LIMIT);
	case SF_ACT_LOG:
		return COLOR_PAIR(PAIR_LOG);
	case SF_ACT_REDIRECT:
		return COLOR_PAIR(PAIR_REDIRECT);
	case SF_ACT_ALLOW:
		return COLOR_PAIR(PAIR_ALLOW);
	default:
		return A_NORMAL;
	}
}

/* One row; its action (and the row, when it is denied or limited now)
 * in the action's colour. */
static void draw_row(const struct view *v, int y, const struct sf_top_row *r, int tw)
{
	char line[SF_TOP_LINE];
	attr_t a = v->colour ? action_attr(r) : A_NORMAL;

	sf_top_text_row(r, tw, line, sizeof(line));
	mvaddnstr(y, 0, line, COLS);
	if (a != A_NORMAL && tw + 1 < COLS) {
		attron(a);
		mvaddnstr(y, tw + 1, sf_top_row_action(r), COLS - tw - 1);
		attroff(a);
	}
}

static void draw_help(int y)
{
	for (size_t i = 0; i < sizeof(keys_help) / sizeof(keys_help[0]) && y < LINES - 1; i++)
		mvaddnstr(y++, 2, keys_help[i], COLS > 2 ? COLS - 2 : 0);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void draw(struct view *v)
{
	char header[SF_TOP_HEADER_LINES][SF_TOP_LINE], line[SF_TOP_LINE];
	const struct sf_top_row *rows;
	size_t n;
	int y = 0, tw;

	rows = sf_top_model_rows(v->m, &n);
	sf_top_text_header(v->m, v->st, header);
	erase();
	for (int i = 0; i < SF_TOP_HEADER_LINES; i++)
		mvaddnstr(y++, 0, header[i], COLS);
	mvaddnstr(y++, 0, v->message, COLS);
	static char quarantined[8][1024];
	size_t nq = sf_abuse_quarantine_lines(sf_top_model_run_dir(v->m), quarantined, 8);

	for (size_t i = 0; i < nq && y < LINES / 2; i++) {
		mvaddnstr(y, 0, "quarantine: ", COLS);
		mvaddnstr(y++, 12, quarantined[i], COLS > 12 ? COLS - 12 : 0);
	}
	/* The tenant column takes what the other columns leave. */
	tw = sf_top_text_tenant_width(rows, n, COLS > 140 ? COLS - 110 : 30);
	sf_top_text_titles(tw, line, sizeof(line));
	attron(A_REVERSE);
	mvaddnstr(y, 0, line, COLS);
	for (int x = (int)strlen(line); x < COLS; x++)
		mvaddch(y, x, ' ');
	attroff(A_REVERSE);
	y++;
	if (v->help)
		draw_help(y + 1);
	for (size_t i = 0; !v->help && i < n && y < LINES - 1; i++)
		draw_row(v, y++, &rows[i], tw);
	attron(A_DIM);
	mvaddnstr(LINES - 1, 0, HELP, COLS);
	attroff(A_DIM);
	refresh();
}

static void sample(struct view *v)
{
	int err = sf_top_model_sample(v->m);

	if (err)
		snprintf(v->message, sizeof(v->message), "failed to read the maps: %s",
			 strerror(-err));
}

#define KEY_ESC 27

/* Reads a line at the message row; false when it was left empty or Esc
 * cancelled it (buf then empty too). */
static bool prompt(struct view *v, const char *question, char *buf, int len, bool *cancelled)
{
	int y = SF_TOP_HEADER_LINES, n = 0, x0 = (int)strlen(question), ch;

	*cancelled = false;
	buf[0] = '\0';
	move(y, 0);
	clrtoeol();
	mvaddstr(y, 0, question);
	curs_set(1);
	timeout(-1);
	while ((ch = getch()) != '\n' && ch != '\r' && ch != KEY_ENTER) {
		if (ch == KEY_ESC) {
			*cancelled = true;
			n = 0;
			break;
		}
		if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n > 0)
			n--;
		else if (ch >= 32 && ch < 127 && n < len - 1)
			buf[n++] = (char)ch;
		buf[n] = '\0';
		move(y, x0);
		clrtoeol();
		mvaddnstr(y, x0, buf, COLS > x0 ? COLS - x0 : 0);
	}
	buf[n] = '\0';
	curs_set(0);
	v->message[0] = '\0';
	return buf[0] != '\0';
}

static void ask_interval(struct view *v)
{
	char buf[32], *end;
	bool cancelled;
	double d;

	if (!prompt(v, "Change delay from seconds: ", buf, sizeof(buf), &cancelled))
		return;
	d = strtod(buf, &end);
	if (*end || d < 0.1 || d > 3600)
		snprintf(v->message, sizeof(v->message),
			 "invalid interval '%s': expected 0.1 to 3600 seconds", buf);
	else
		v->st->interval_s = d;
}

static void ask_filter(struct view *v)
{
	char buf[128];
	bool cancelled;

	if (prompt(v, "Show rows containing: ", buf, sizeof(buf), &cancelled))
		sf_top_model_filter(v->m, buf);
	else if (cancelled)
		snprintf(v->message, sizeof(v->message), "filter unchanged");
}

/* Returns false on 'q'. */
static bool on_key(struct view *v, int ch, double *next)
{
	enum sf_top_sort s = sf_top_model_sort_column(v->m);
	bool rev = sf_top_model_sort_reversed(v->m);

	if (v->help && ch != KEY_RESIZE) { /* any key closes the help */
		v->help = false;
		return ch != 'q' && ch != 'Q';
	}
	switch (ch) {
	case '?':
	case 'h':
		v->help = true;
		return true;
	case 'q':
	case 'Q':
		return false;
	case '<':
		s = s == 0 ? SF_TOP_SORT_COUNT - 1 : s - 1;
		break;
	case '>':
		s = (s + 1) % SF_TOP_SORT_COUNT;
		break;
	case 'R':
		rev = !rev;
		break;
	case '/':
		ask_filter(v);
		break;
	case '=':
		sf_top_model_filter(v->m, "");
		break;
	case 'g':
		sf_top_model_group(v->m, sf_top_model_grouping(v->m) == SF_BY_USER ? SF_BY_TENANT
										   : SF_BY_USER);
		sample(v);
		*next = now_s() + v->st->interval_s;
		break;
	case 'p':
		v->st->paused = !v->st->paused;
		break;
	case 'd':
	case 's':
		ask_interval(v);
		*next = now_s() + v->st->interval_s;
		break;
	case ' ':
		sample(v);
		*next = now_s() + v->st->interval_s;
		break;
	case KEY_RESIZE:
		break;
	default:
		snprintf(v->message, sizeof(v->message), "unknown key; " HELP);
		return true;
	}
	sf_top_model_sort(v->m, s, rev);
	sf_top_model_arrange(v->m);
	return true;
}

int sf_top_view_run(struct sf_top_model *m, struct sf_top_state *st, long frames)
{
	struct view v = {.m = m, .st = st};
	double next;
	long shown = 0;

	setlocale(LC_ALL, ""); /* the trend's block characters, in a UTF-8 locale */
	if (!initscr())
		return -ENOTTY;
	set_escdelay(25); /* Esc alone cancels a prompt at once */
	colours_init(&v);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	sample(&v);
	next = now_s() + st->interval_s;
	draw(&v);
	for (;;) {
		double wait = next - now_s();
		int ch;

		timeout(st->paused ? -1 : wait > 0 ? (int)(wait * 1000) : 0);
		ch = getch();
		if (ch == ERR) {
			if (st->paused || now_s() < next)
				continue;
			sample(&v);
			next = now_s() + st->interval_s;
			if (frames > 0 && ++shown >= frames)
				break;
		} else if (!on_key(&v, ch, &next)) {
			break;
		}
		draw(&v);
	}
	endwin();
	return 0;
}
