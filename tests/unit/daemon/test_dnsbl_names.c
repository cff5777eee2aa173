// SPDX-License-Identifier: GPL-2.0-only
/* The blocklist watch's pure parts: the query name of an address on a
 * zone (reversed octets, reversed nibbles) and which of the interfaces'
 * addresses are of global scope. */
#include "daemon/dnsbl_check.h"
#include "daemon/node_addresses.h"
#include "suite.h"

#include <check.h>
#include <string.h>

START_TEST(query_names)
{
	char name[300];

	ck_assert(!sf_dnsbl_query_name("192.0.2.99", "zen.spamhaus.org", name, sizeof(name)));
	ck_assert_str_eq(name, "99.2.0.192.zen.spamhaus.org");
	ck_assert(!sf_dnsbl_query_name("2001:db8::1:2", "bl.test", name, sizeof(name)));
	ck_assert_str_eq(name,
			 "2.0.0.0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test");
	ck_assert(sf_dnsbl_query_name("not-an-address", "bl.test", name, sizeof(name)));
	ck_assert(sf_dnsbl_query_name("192.0.2.99", "bl.test", name, 8));
}
END_TEST

START_TEST(global_scope)
{
	static const char *const global[] = {"192.0.2.1", "10.0.0.1", "203.0.113.7", "2001:db8::1",
					     "fd00::1"};
	static const char *const local[] = {
		"127.0.0.1", "127.1.2.3", "169.254.1.1", "0.0.0.0", "224.0.0.1",
		"::1",	     "fe80::1",	  "ff02::1",	 "::",	    "::ffff:192.0.2.1"};

	for (size_t i = 0; i < sizeof(global) / sizeof(global[0]); i++)
		ck_assert_msg(sf_address_is_global(global[i]), "%s", global[i]);
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		ck_assert_msg(!sf_address_is_global(local[i]), "%s", local[i]);
}
END_TEST

int main(void)
{
	return sft_run_tests("dnsbl_names", NULL, NULL,
			     (const TTest *const[]){query_names, global_scope, NULL});
}
