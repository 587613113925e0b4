# Shell functions scripts/bench and bench/profile share (sourced, not run).

# make_members DATABASE COUNT: members m1@bench.example … mCOUNT@bench.example, copies of the member
# bench@example.com the command line made, written in one statement (a command per member would
# take minutes).
make_members() {
    sqlite3 "$1" "PRAGMA busy_timeout = 10000;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $2)
        INSERT INTO member (workspace_id, email, email_key, method, role, state, created_at, activated_at)
        SELECT m.workspace_id, 'm' || i || '@bench.example', 'm' || i || '@bench.example', m.method, m.role,
               m.state, m.created_at, m.activated_at
        FROM n, member m WHERE m.email_key = 'bench@example.com';" >/dev/null
}

# link_in_mail FILE: the ID.TOKEN of the first sign-in link in a mail file. Quoted-printable soft
# line breaks are joined first; the link has no '=' of its own.
link_in_mail() {
    tr -d '\r' < "$1" | sed -e ':a' -e '/=$/{N;s/=\n//;ba}' \
        | grep -Eo '/_konfident/verify/[1-9][0-9]*\.[A-Za-z0-9_-]{43}' | head -1 | sed 's|.*/||'
}
