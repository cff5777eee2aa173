/* SPDX-License-Identifier: GPL-2.0-only */
/* The release, one place: the binary, metrics' build_info and the packages
 * (make deb and make rpm read it from here). */
#ifndef SF_VERSION_H
#define SF_VERSION_H

#define SF_VERSION "0.1.0"

#endif /* SF_VERSION_H */
