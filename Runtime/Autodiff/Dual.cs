using System;

namespace Cortex.Autodiff;

/// <summary>
/// A dual number v + v̇ε (ε² = 0): a primal value and its tangent. Every value, local derivative and
/// adjoint in the graph is one, so the same arithmetic that computes a derivative also carries that
/// derivative's own directional derivative (what forward-over-reverse needs).
/// </summary>
internal readonly struct Dual
{
    public readonly double Value;
    public readonly double Tangent;

    public Dual(double value, double tangent)
    {
        Value = value;
        Tangent = tangent;
    }

    public static readonly Dual Zero = new(0, 0);
    public static readonly Dual One = new(1, 0);

    public static implicit operator Dual(double value) => new(value, 0);

    public static Dual operator +(Dual a, Dual b) => new(a.Value + b.Value, a.Tangent + b.Tangent);

    public static Dual operator -(Dual a, Dual b) => new(a.Value - b.Value, a.Tangent - b.Tangent);

    public static Dual operator -(Dual a) => new(-a.Value, -a.Tangent);

    public static Dual operator *(Dual a, Dual b) =>
        new(a.Value * b.Value, Scale(b.Value, a.Tangent) + Scale(a.Value, b.Tangent));

    public static Dual operator /(Dual a, Dual b)
    {
        double y = a.Value / b.Value;
        return new(y, (a.Tangent - Scale(y, b.Tangent)) / b.Value);
    }

    public static Dual Exp(Dual x)
    {
        double e = Math.Exp(x.Value);
        return new(e, Scale(e, x.Tangent));
    }

    public static Dual Log(Dual x) => new(Math.Log(x.Value), Scale(1 / x.Value, x.Tangent));

    public static Dual Sin(Dual x) => new(Math.Sin(x.Value), Scale(Math.Cos(x.Value), x.Tangent));

    public static Dual Cos(Dual x) => new(Math.Cos(x.Value), Scale(-Math.Sin(x.Value), x.Tangent));

    public static Dual Tanh(Dual x)
    {
        double t = Math.Tanh(x.Value);
        return new(t, Scale(1 - t * t, x.Tangent));
    }

    /// <summary>x^p for a constant exponent.</summary>
    public static Dual Pow(Dual x, double p) =>
        new(Math.Pow(x.Value, p), Scale(p * Math.Pow(x.Value, p - 1), x.Tangent));

    /// <summary>a^b; the b-term needs a &gt; 0 and is left out when b carries no tangent.</summary>
    public static Dual Pow(Dual a, Dual b)
    {
        double y = Math.Pow(a.Value, b.Value);
        return new(y, Scale(b.Value * Math.Pow(a.Value, b.Value - 1), a.Tangent) + Scale(y * Math.Log(a.Value), b.Tangent));
    }

    /// <summary>d·t, but exactly 0 when t is 0: a derivative that is infinite or NaN where no tangent flows contributes nothing.</summary>
    public static double Scale(double d, double t) => t == 0 ? 0 : d * t;

    /// <summary>Same as <see cref="Scale(double, double)"/> for duals: 0 when <paramref name="t"/> is exactly zero.</summary>
    public static Dual Scale(Dual d, Dual t) => t.Value == 0 && t.Tangent == 0 ? Zero : d * t;
}
