// SPDX-License-Identifier: GPL-2.0-only
#include "view/top_view.h"
#include "view/abuse_status.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HELP                                                                                       \
	"q quit  < > sort column  R reverse  / filter  = clear filter  g user/tenant  "            \
	"p pause  d interval  space refresh"

struct view {
	struct sf_top_model *m;
	struct sf_top_state *st;
	char message[SF_TOP_LINE]; /* the line under the header: errors, prompts */
};

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
	for (size_t i = 0; i < n && y < LINES - 1; i++) {
		sf_top_text_row(&rows[i], tw, line, sizeof(line));
		mvaddnstr(y++, 0, line, COLS);
	}
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

/* Reads a line at the message row; false when it was left empty. */
static bool prompt(struct view *v, const char *question, char *buf, int len)
{
	int y = SF_TOP_HEADER_LINES;

	move(y, 0);
	clrtoeol();
	mvaddstr(y, 0, question);
	echo();
	curs_set(1);
	timeout(-1);
	getnstr(buf, len - 1);
	noecho();
	curs_set(0);
	v->message[0] = '\0';
	return buf[0] != '\0';
}

static void ask_interval(struct view *v)
{
	char buf[32], *end;
	double d;

	if (!prompt(v, "Change delay from seconds: ", buf, sizeof(buf)))
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

	if (prompt(v, "Show rows containing: ", buf, sizeof(buf)))
		sf_top_model_filter(v->m, buf);
}

/* Returns false on 'q'. */
static bool on_key(struct view *v, int ch, double *next)
{
	enum sf_top_sort s = sf_top_model_sort_column(v->m);
	bool rev = sf_top_model_sort_reversed(v->m);

	switch (ch) {
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

	if (!initscr())
		return -ENOTTY;
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
