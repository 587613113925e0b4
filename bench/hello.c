/*
 * The anchor of scripts/bench: the cheapest FastCGI responder there is, so that its numbers are the
 * cost of the nginx <-> FastCGI hop itself. Built like `konfident serve` runs: N threads, each with
 * its own FCGX_Request, taking turns at FCGX_Accept_r under one mutex (libfcgi's threaded example),
 * on a unix socket of its own. Every request gets the same ~1.5 KB HTML page with `Status: 200 OK`.
 *
 * Build: gcc -O2 -pthread -o hello bench/hello.c -lfcgi
 * Usage: hello SOCKET_PATH THREADS
 */
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char body[] =
    "<!doctype html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>Hello</title>\n"
    "<link rel=\"stylesheet\" href=\"/static/konfident.css\">\n"
    "<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">\n"
    "</head>\n"
    "<body>\n"
    "<header class=\"top\"><a class=\"brand\" href=\"/\"><img src=\"/static/logo.svg\" alt=\"\" width=\"28\" height=\"28\"> KONFIDENT</a></header>\n"
    "<main class=\"card\">\n"
    "<h1>Hello</h1>\n"
    "<p class=\"lead\">This page is the anchor of the benchmark: a C FastCGI responder that does nothing but\n"
    "answer with a constant page of about the size of the login page, so that its requests per second are\n"
    "what the nginx to FastCGI hop costs on this machine, with no application work at all.</p>\n"
    "<form method=\"post\" action=\"/_konfident/login\" class=\"stack\">\n"
    "<input type=\"hidden\" name=\"csrf\" value=\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\">\n"
    "<label for=\"email\">Email address</label>\n"
    "<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" inputmode=\"email\" required maxlength=\"254\" value=\"\">\n"
    "<button type=\"submit\" class=\"primary\">Next</button>\n"
    "</form>\n"
    "<div class=\"divider\"><span>or</span></div>\n"
    "<form method=\"get\" action=\"/_konfident/bankid\" class=\"stack\">\n"
    "<button type=\"submit\" class=\"secondary bankid\">Log in with BankID</button>\n"
    "</form>\n"
    "</main>\n"
    "<footer><a href=\"?lang=sv\" lang=\"sv\">Svenska</a></footer>\n"
    "</body>\n"
    "</html>\n";

static pthread_mutex_t accept_lock = PTHREAD_MUTEX_INITIALIZER;
static int listen_socket;
static char header[256];
static int header_length;

static void *serve(void *unused) {
    (void)unused;
    FCGX_Request request;
    FCGX_InitRequest(&request, listen_socket, 0);
    for (;;) {
        pthread_mutex_lock(&accept_lock);
        int accepted = FCGX_Accept_r(&request);
        pthread_mutex_unlock(&accept_lock);
        if (accepted < 0) break;
        FCGX_PutStr(header, header_length, request.out);
        FCGX_PutStr(body, (int)sizeof body - 1, request.out);
        FCGX_Finish_r(&request);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s SOCKET_PATH THREADS\n", argv[0]);
        return 64;
    }
    int threads = atoi(argv[2]);
    if (threads < 1 || threads > 256) {
        fprintf(stderr, "hello: THREADS must be 1 to 256\n");
        return 64;
    }
    header_length = snprintf(header, sizeof header,
                             "Status: 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                             "Content-Length: %zu\r\n\r\n", sizeof body - 1);
    if (FCGX_Init() != 0) {
        fprintf(stderr, "hello: FCGX_Init failed\n");
        return 1;
    }
    /* libfcgi's FCGX_Init installs its own SIGTERM handler, which only sets a flag that threads
     * blocked in FCGX_Accept_r never look at (see DESIGN §4): give SIGTERM back its default action,
     * which ends the process. A peer that closed its connection must not kill it (SIGPIPE). */
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    unlink(argv[1]);
    listen_socket = FCGX_OpenSocket(argv[1], 1024) /* the backlog of `serve` */;
    if (listen_socket < 0) {
        fprintf(stderr, "hello: cannot listen on %s\n", argv[1]);
        return 1;
    }
    chmod(argv[1], 0666);
    pthread_t ids[256];
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, serve, NULL);
    /* SIGTERM ends the process: the threads need no orderly stop. */
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    return 0;
}
