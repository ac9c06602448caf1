# SPDX-License-Identifier: MIT
# plot.gp - the bench plot, from the data files bench_credssp writes.
# gnuplot -e "dir='bench-results'" tests/bench/plot.gp
if (!exists("dir")) dir = 'bench-results'
set terminal pngcairo size 1400,700 font ",10" noenhanced
set output dir.'/bench.png'
set multiplot layout 1,2 title "gss-credssp: ours against the floor (make bench)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top left box opaque
set grid ytics
set yrange [0:*]
set xtics rotate by -40
set ylabel "CPU microseconds per handshake (initiator + acceptor)"
set title "Handshake CPU: ours against the floor"
plot dir.'/handshake.dat' using ($2+$3):xtic(1) title "ours" lc rgb "#1f77b4", \
     '' using ($4+$5) title "floor (bare TLS + bare inner + pubKeyAuth)" lc rgb "#ff7f0e"
set ylabel "MB/s of payload (CPU time)"
set title "gss_wrap+gss_unwrap against SSL_write+SSL_read"
plot dir.'/wrap.dat' using 2:xtic(1) title "ours" lc rgb "#1f77b4", \
     '' using 3 title "bare TLS" lc rgb "#ff7f0e"
unset multiplot
