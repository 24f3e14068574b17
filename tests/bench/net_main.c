/* Times the 10-10-10 network's gradient as `deriv grad ... --emit c` writes it (run.sh,
 * W5): 5 rounds of 100,000 calls; prints the median and the fastest seconds per call and
 * a checksum of the outputs (which keeps the calls from being optimized away). */
#include <stdio.h>
#include <time.h>

void grad(const double u[10][10], const double v[10], const double w[10][10],
          const double x[10], double y, double out[210]);

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* uniform in [-1, 1), a fixed sequence */
static double uniform(unsigned long *s)
{
    *s = *s * 6364136223846793005UL + 1442695040888963407UL;
    return (double)(*s >> 11) / 4503599627370496.0 - 1.0;
}

int main(void)
{
    enum { CALLS = 100000, ROUNDS = 5 };
    static double u[10][10], v[10], w[10][10], x[10], out[210];
    double y = uniform(&(unsigned long){42}), sum = 0, t[ROUNDS];
    unsigned long s = 7;
    for (int i = 0; i < 10; i++) {
        for (int j = 0; j < 10; j++) {
            u[i][j] = uniform(&s);
            w[i][j] = uniform(&s);
        }
        v[i] = uniform(&s);
        x[i] = uniform(&s);
    }
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now();
        for (int n = 0; n < CALLS; n++) {
            x[n % 10] += 1e-12;
            grad(u, v, w, x, y, out);
            sum += out[n % 210];
        }
        t[r] = (now() - t0) / CALLS;
    }
    for (int i = 1; i < ROUNDS; i++)
        for (int j = i; j > 0 && t[j] < t[j - 1]; j--) {
            double k = t[j];
            t[j] = t[j - 1];
            t[j - 1] = k;
        }
    printf("%.3g %.3g %.17g\n", t[ROUNDS / 2], t[0], sum);
    return 0;
}
