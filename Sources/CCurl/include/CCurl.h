#ifndef KONFIDENT_CCURL_H
#define KONFIDENT_CCURL_H
// libcurl, loaded on first use rather than linked: libcurl brings some thirty shared libraries
// (TLS, Kerberos, LDAP, IDN, compression) whose loading and symbol binding would otherwise be
// paid by every process start, and a CGI request that shows a page never sends anything.
// curl.h gives the types and constants; the functions below call into the loaded library.
#include <curl/curl.h>

// Loads libcurl (libcurl.so.4) and runs curl_global_init once per process; thread-safe.
// NULL when libcurl is ready, otherwise why it is not (the loader's message).
const char *konfident_curl_load(void);

// libcurl's functions. When libcurl cannot be loaded, konfident_curl_easy_init returns NULL and
// konfident_curl_load says why; the others are only called with what it returned.
CURL *konfident_curl_easy_init(void);
// Why konfident_curl_easy_init returned NULL.
const char *konfident_curl_init_problem(void);
void konfident_curl_easy_cleanup(CURL *handle);
CURLcode konfident_curl_easy_perform(CURL *handle);
const char *konfident_curl_easy_strerror(CURLcode code);
struct curl_slist *konfident_curl_slist_append(struct curl_slist *list, const char *string);
void konfident_curl_slist_free_all(struct curl_slist *list);

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call; these typed
// wrappers can be.
CURLcode konfident_curl_set_long(CURL *handle, CURLoption option, long value);
CURLcode konfident_curl_set_string(CURL *handle, CURLoption option, const char *value);
CURLcode konfident_curl_set_pointer(CURL *handle, CURLoption option, void *value);
CURLcode konfident_curl_set_write_function(CURL *handle, size_t (*function)(char *, size_t, size_t, void *));
CURLcode konfident_curl_set_read_function(CURL *handle, size_t (*function)(char *, size_t, size_t, void *));
CURLcode konfident_curl_get_long(CURL *handle, CURLINFO info, long *value);

#endif
