import ArgumentParser
import FastCGI

// Started by a web server as a CGI program (no arguments, GATEWAY_INTERFACE set): answer the one
// request. Otherwise: the operator's command line.
if CommandLine.arguments.count == 1 && CGI.isCGIEnvironment {
    CGIMode.run()
} else {
    Konfident.main()
}
