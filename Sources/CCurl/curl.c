#include "CCurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

// The library's entry points, resolved once by load(); read-only afterwards.
static struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *handle);
    CURLcode (*easy_perform)(CURL *handle);
    const char *(*easy_strerror)(CURLcode code);
    CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *handle, CURLINFO info, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *string);
    void (*slist_free_all)(struct curl_slist *list);
} curl;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char problem[512];
static const char *failure = "libcurl was not loaded";

static void load(void) {
    // libcurl.so.4 is the ABI this is built against (curl.h); the unversioned name only exists
    // where the development package is installed.
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(problem, sizeof problem, "libcurl could not be loaded: %s", dlerror());
        failure = problem;
        return;
    }
#define RESOLVE(field, name) \
    if ((*(void **)&curl.field = dlsym(library, name)) == NULL) { \
        snprintf(problem, sizeof problem, "libcurl.so.4 has no %s", name); \
        failure = problem; \
        return; \
    }
    RESOLVE(global_init, "curl_global_init")
    RESOLVE(easy_init, "curl_easy_init")
    RESOLVE(easy_cleanup, "curl_easy_cleanup")
    RESOLVE(easy_perform, "curl_easy_perform")
    RESOLVE(easy_strerror, "curl_easy_strerror")
    RESOLVE(easy_setopt, "curl_easy_setopt")
    RESOLVE(easy_getinfo, "curl_easy_getinfo")
    RESOLVE(slist_append, "curl_slist_append")
    RESOLVE(slist_free_all, "curl_slist_free_all")
#undef RESOLVE
    CURLcode code = curl.global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) {
        snprintf(problem, sizeof problem, "curl_global_init failed: %s", curl.easy_strerror(code));
        failure = problem;
        return;
    }
    failure = NULL;
}

const char *konfident_curl_load(void) {
    pthread_once(&once, load);
    return failure;
}

CURL *konfident_curl_easy_init(void) {
    return konfident_curl_load() == NULL ? curl.easy_init() : NULL;
}

const char *konfident_curl_init_problem(void) {
    const char *problem = konfident_curl_load();
    return problem != NULL ? problem : "curl_easy_init failed";
}

void konfident_curl_easy_cleanup(CURL *handle) { curl.easy_cleanup(handle); }
CURLcode konfident_curl_easy_perform(CURL *handle) { return curl.easy_perform(handle); }

const char *konfident_curl_easy_strerror(CURLcode code) {
    return konfident_curl_load() == NULL ? curl.easy_strerror(code) : failure;
}

struct curl_slist *konfident_curl_slist_append(struct curl_slist *list, const char *string) {
    return konfident_curl_load() == NULL ? curl.slist_append(list, string) : NULL;
}

void konfident_curl_slist_free_all(struct curl_slist *list) {
    if (list != NULL) curl.slist_free_all(list);
}

CURLcode konfident_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl.easy_setopt(handle, option, value);
}
CURLcode konfident_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl.easy_setopt(handle, option, value);
}
CURLcode konfident_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl.easy_setopt(handle, option, value);
}
CURLcode konfident_curl_set_write_function(CURL *handle, size_t (*function)(char *, size_t, size_t, void *)) {
    return curl.easy_setopt(handle, CURLOPT_WRITEFUNCTION, function);
}
CURLcode konfident_curl_set_read_function(CURL *handle, size_t (*function)(char *, size_t, size_t, void *)) {
    return curl.easy_setopt(handle, CURLOPT_READFUNCTION, function);
}
CURLcode konfident_curl_get_long(CURL *handle, CURLINFO info, long *value) {
    return curl.easy_getinfo(handle, info, value);
}
