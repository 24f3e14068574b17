//! erf for the languages whose library has none (Rust's std, JavaScript's `Math`): Sun's
//! algorithm (FreeBSD msun `s_erf.c`, as in musl and the `libm` crate that `--at` uses),
//! written out with its coefficients; its error is below 1 ulp.

/// What the code's comment says about it.
pub const NOTE: &str = "erf is Sun's algorithm (FreeBSD msun s_erf.c, as musl and the libm \
                        crate), emitted below: error below 1 ulp.";

/// Sun's notice, which the algorithm's licence asks to keep with it.
const NOTICE: &str = "\
Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
Developed at SunPro, a Sun Microsystems, Inc. business.
Permission to use, copy, modify, and distribute this software is freely granted,
provided that this notice is preserved.";

/// The coefficients of the rational approximations, as in `s_erf.c`.
const COEFFICIENTS: [(&str, &str); 51] = [
    ("ERX", "8.45062911510467529297e-01"),
    ("EFX8", "1.02703333676410069053e+00"),
    ("PP0", "1.28379167095512558561e-01"),
    ("PP1", "-3.25042107247001499370e-01"),
    ("PP2", "-2.84817495755985104766e-02"),
    ("PP3", "-5.77027029648944159157e-03"),
    ("PP4", "-2.37630166566501626084e-05"),
    ("QQ1", "3.97917223959155352819e-01"),
    ("QQ2", "6.50222499887672944485e-02"),
    ("QQ3", "5.08130628187576562776e-03"),
    ("QQ4", "1.32494738004321644526e-04"),
    ("QQ5", "-3.96022827877536812320e-06"),
    ("PA0", "-2.36211856075265944077e-03"),
    ("PA1", "4.14856118683748331666e-01"),
    ("PA2", "-3.72207876035701323847e-01"),
    ("PA3", "3.18346619901161753674e-01"),
    ("PA4", "-1.10894694282396677476e-01"),
    ("PA5", "3.54783043256182359371e-02"),
    ("PA6", "-2.16637559486879084300e-03"),
    ("QA1", "1.06420880400844228286e-01"),
    ("QA2", "5.40397917702171048937e-01"),
    ("QA3", "7.18286544141962662868e-02"),
    ("QA4", "1.26171219808761642112e-01"),
    ("QA5", "1.36370839120290507362e-02"),
    ("QA6", "1.19844998467991074170e-02"),
    ("RA0", "-9.86494403484714822705e-03"),
    ("RA1", "-6.93858572707181764372e-01"),
    ("RA2", "-1.05586262253232909814e+01"),
    ("RA3", "-6.23753324503260060396e+01"),
    ("RA4", "-1.62396669462573470355e+02"),
    ("RA5", "-1.84605092906711035994e+02"),
    ("RA6", "-8.12874355063065934246e+01"),
    ("RA7", "-9.81432934416914548592e+00"),
    ("SA1", "1.96512716674392571292e+01"),
    ("SA2", "1.37657754143519042600e+02"),
    ("SA3", "4.34565877475229228821e+02"),
    ("SA4", "6.45387271733267880336e+02"),
    ("SA5", "4.29008140027567833386e+02"),
    ("SA6", "1.08635005541779435134e+02"),
    ("SA7", "6.57024977031928170135e+00"),
    ("SA8", "-6.04244152148580987438e-02"),
    ("RB0", "-9.86494292470009928597e-03"),
    ("RB1", "-7.99283237680523006574e-01"),
    ("RB2", "-1.77579549177547519889e+01"),
    ("RB3", "-1.60636384855821916062e+02"),
    ("RB4", "-6.37566443368389627722e+02"),
    ("RB5", "-1.02509513161107724954e+03"),
    ("RB6", "-4.83519191608651397019e+02"),
    ("SB1", "3.03380607434824582924e+01"),
    ("SB2", "3.25792512996573918826e+02"),
    ("SB3", "1.53672958608443695994e+03"),
];

/// The rest of the table (one array would be too long to read).
const COEFFICIENTS_B: [(&str, &str); 4] = [
    ("SB4", "3.19985821950859553908e+03"),
    ("SB5", "2.55305040643316442583e+03"),
    ("SB6", "4.74528541206955367215e+02"),
    ("SB7", "-2.24409524465858183362e+01"),
];

/// The boundary 1/0.35 of `s_erf.c` (its high word 0x4006db6d, low word 0): the same
/// comparisons as the original's on the high word.
fn boundary() -> String {
    format!("{:?}", f64::from_bits(0x4006_db6d_0000_0000))
}

/// `(name, value)` for every coefficient.
fn coefficients() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    COEFFICIENTS.iter().chain(COEFFICIENTS_B.iter())
}

/// erf(|x|) - 1 for |x| ≥ 0.84375 (that is, -erfc) uses `z`, |x| with its low 32 bits
/// cleared, so that z*z is exact. The polynomials in s = 1/x² are the same text in both
/// languages.
const TAIL: &str = "\
        r = RA0 + s * (RA1 + s * (RA2 + s * (RA3 + s * (RA4 + s * (RA5 + s * (RA6 + s * RA7))))));
        q = 1.0 + s * (SA1 + s * (SA2 + s * (SA3 + s * (SA4 + s * (SA5 + s * (SA6 + s * (SA7 + s * SA8)))))));";
const TAIL_B: &str = "\
        r = RB0 + s * (RB1 + s * (RB2 + s * (RB3 + s * (RB4 + s * (RB5 + s * RB6)))));
        q = 1.0 + s * (SB1 + s * (SB2 + s * (SB3 + s * (SB4 + s * (SB5 + s * (SB6 + s * SB7))))));";
const SMALL: &str = "\
        p = PP0 + z * (PP1 + z * (PP2 + z * (PP3 + z * PP4)));
        q = 1.0 + z * (QQ1 + z * (QQ2 + z * (QQ3 + z * (QQ4 + z * QQ5))));";
const NEAR_ONE: &str = "\
        p = PA0 + s * (PA1 + s * (PA2 + s * (PA3 + s * (PA4 + s * (PA5 + s * PA6)))));
        q = 1.0 + s * (QA1 + s * (QA2 + s * (QA3 + s * (QA4 + s * (QA5 + s * QA6)))));";

fn comment(prefix: &str) -> String {
    let mut s = format!("{prefix} erf(x), Sun's algorithm (FreeBSD msun s_erf.c):\n");
    for l in NOTICE.lines() {
        s.push_str(&format!("{prefix} {l}\n"));
    }
    s
}

/// The Rust function `deriv_erf`.
pub fn rust() -> String {
    let mut s = comment("///");
    s.push_str(
        "#[allow(clippy::excessive_precision, clippy::all)]\nfn deriv_erf(x: f64) -> f64 {\n",
    );
    for (n, v) in coefficients() {
        s.push_str(&format!("    const {n}: f64 = {v};\n"));
    }
    let body = format!(
        "    let a = x.abs();
    if x.is_nan() {{
        return x;
    }}
    let (p, q, r, s, z): (f64, f64, f64, f64, f64);
    if a < 0.84375 {{
        if a < 3.725290298461914e-9 {{
            return 0.125 * (8.0 * x + EFX8 * x);
        }}
        z = x * x;
{SMALL}
        return x + x * (p / q);
    }}
    let y = if a >= 6.0 {{
        1.0 - f64::from_bits(0x0010_0000_0000_0000)
    }} else if a < 1.25 {{
        s = a - 1.0;
{NEAR_ONE}
        1.0 - (1.0 - ERX - p / q)
    }} else {{
        s = 1.0 / (a * a);
        if a < {b} {{
{TAIL}
        }} else {{
{TAIL_B}
        }}
        z = f64::from_bits(a.to_bits() & 0xffff_ffff_0000_0000);
        1.0 - f64::exp(-z * z - 0.5625) * f64::exp((z - a) * (z + a) + r / q) / a
    }};
    if x < 0.0 {{ -y }} else {{ y }}
}}
",
        b = boundary()
    );
    s.push_str(&body);
    s
}

/// The JavaScript function `deriv_erf`.
pub fn javascript() -> String {
    let mut s = comment("//");
    s.push_str("function deriv_erf(x) {\n");
    for (n, v) in coefficients() {
        s.push_str(&format!("  const {n} = {v};\n"));
    }
    let js = |t: &str| t.replace("        ", "    ");
    let body = format!(
        "  const a = Math.abs(x);
  if (Number.isNaN(x)) return x;
  let p, q, r, s, z, y;
  if (a < 0.84375) {{
    if (a < 3.725290298461914e-9) return 0.125 * (8.0 * x + EFX8 * x);
    z = x * x;
{small}
    return x + x * (p / q);
  }}
  if (a >= 6) {{
    y = 1;
  }} else if (a < 1.25) {{
    s = a - 1.0;
{near}
    y = 1.0 - (1.0 - ERX - p / q);
  }} else {{
    s = 1.0 / (a * a);
    if (a < {b}) {{
{tail}
    }} else {{
{tail_b}
    }}
    // |x| with the low 32 bits of its double cleared, so that z * z is exact
    const v = new DataView(new ArrayBuffer(8));
    v.setFloat64(0, a);
    v.setUint32(4, 0);
    z = v.getFloat64(0);
    y = 1.0 - Math.exp(-z * z - 0.5625) * Math.exp((z - a) * (z + a) + r / q) / a;
  }}
  return x < 0 ? -y : y;
}}
",
        small = js(SMALL),
        near = js(NEAR_ONE),
        tail = js(TAIL)
            .replace("\n    ", "\n      ")
            .replacen("    ", "      ", 1),
        tail_b = js(TAIL_B)
            .replace("\n    ", "\n      ")
            .replacen("    ", "      ", 1),
        b = boundary()
    );
    s.push_str(&body);
    s
}
