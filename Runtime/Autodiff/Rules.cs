using System;

namespace Cortex.Autodiff;

/// <summary>The primitives. Everything else (mean, softmax, log-softmax, …) is composed from these.</summary>
internal enum Op
{
    Variable,
    Constant,
    Add,
    Sub,
    Mul,
    Div,
    Max,
    Pow,
    Neg,
    Exp,
    Log,
    Sin,
    Cos,
    Tanh,
    Sigmoid,
    Softplus,
    Relu,
    LeakyRelu,
    Elu,
    BinaryStep,
    Abs,
    PowConst,
    MatMul,
    Transpose,
    Reshape,
    Sum,
    RowSums,
    ColumnSums,
    RowMaxes,
}

/// <summary>
/// The one switch: for every primitive, its forward beside its local derivative (micrograd's
/// <c>_backward</c>). Forward (<c>backward == false</c>) fills <c>y.Data</c> — values, and tangents
/// ẏ = Σ ∂y/∂xᵢ·ẋᵢ from the same local derivatives. Backward accumulates x̄ᵢ += ȳ·∂y/∂xᵢ into every
/// input that requires a gradient; accumulation is what makes fan-out (the copy gate) add. All
/// arithmetic is on <see cref="Dual"/>s, so a local derivative carries its own tangent and the
/// backward sweep yields Hessian-vector products for free. Element-wise ops return
/// (value, ∂y/∂a[, ∂y/∂b]) and read like the activation table in the notes.
/// </summary>
internal static class Rules
{
    private static readonly Dual One = Dual.One;
    private static readonly Dual Zero = Dual.Zero;

    public static void Run(Node y, bool backward)
    {
        switch (y.Op)
        {
            case Op.Variable:
            case Op.Constant:
                break;

            // Binary, element-wise, broadcasting: (y, ∂y/∂a, ∂y/∂b).
            case Op.Add: Binary(y, backward, static (a, b) => (a + b, One, One)); break;   // add gate: distributes
            case Op.Sub: Binary(y, backward, static (a, b) => (a - b, One, -One)); break;
            case Op.Mul: Binary(y, backward, static (a, b) => (a * b, b, a)); break;       // mul gate: swaps
            case Op.Div: Binary(y, backward, static (a, b) => (a / b, 1 / b, -a / (b * b))); break;
            case Op.Max:                                                                      // max gate: routes; a tie goes to a
                Binary(y, backward, static (a, b) => a.Value >= b.Value ? (a, One, Zero) : (b, Zero, One));
                break;
            case Op.Pow:                                                                      // ∂/∂b needs a > 0
                Binary(y, backward, static (a, b) =>
                {
                    var p = Dual.Pow(a, b);
                    return (p, b * Dual.Pow(a, b - 1), p * Dual.Log(a));
                });
                break;

            // Unary, element-wise: (y, y'). The parameter is α (ELU, leaky ReLU) or the exponent p.
            case Op.Neg: Unary(y, backward, static (x, _) => (-x, -One)); break;
            case Op.Exp: Unary(y, backward, static (x, _) => { var e = Dual.Exp(x); return (e, e); }); break;
            case Op.Log: Unary(y, backward, static (x, _) => (Dual.Log(x), 1 / x)); break;
            case Op.Sin: Unary(y, backward, static (x, _) => (Dual.Sin(x), Dual.Cos(x))); break;
            case Op.Cos: Unary(y, backward, static (x, _) => (Dual.Cos(x), -Dual.Sin(x))); break;
            case Op.PowConst: Unary(y, backward, static (x, p) => (Dual.Pow(x, p), p * Dual.Pow(x, p - 1))); break;
            case Op.Tanh: Unary(y, backward, static (x, _) => { var t = Dual.Tanh(x); return (t, 1 - t * t); }); break;
            case Op.Sigmoid: Unary(y, backward, static (x, _) => { var s = Sigmoid(x); return (s, s * (1 - s)); }); break;
            case Op.Softplus: Unary(y, backward, static (x, _) => (Softplus(x), Sigmoid(x))); break;
            case Op.Relu: Unary(y, backward, static (x, _) => x.Value > 0 ? (x, One) : (Zero, Zero)); break;              // ReLU'(0) = 0
            case Op.LeakyRelu: Unary(y, backward, static (x, a) => x.Value >= 0 ? (x, One) : (a * x, (Dual)a)); break;    // f'(0) = 1
            case Op.Elu:                                                                                                  // f'(0) = α·e⁰ = α
                Unary(y, backward, static (x, a) =>
                {
                    if (x.Value > 0)
                    {
                        return (x, One);
                    }
                    var e = a * Dual.Exp(x);
                    return (e - a, e);
                });
                break;
            case Op.BinaryStep: Unary(y, backward, static (x, _) => (x.Value >= 0 ? One : Zero, Zero)); break;           // step' = 0
            case Op.Abs: Unary(y, backward, static (x, _) => x.Value > 0 ? (x, One) : x.Value < 0 ? (-x, -One) : (Zero, Zero)); break; // |x|'(0) = 0

            // Structural ops are linear (matmul bilinear): backward is the transposed map.
            case Op.MatMul:
            {
                // y (m, n) = a (m, k) · b (k, n)
                Node a = y.Inputs[0], b = y.Inputs[1];
                int m = a.Rows, k = a.Cols, n = b.Cols;
                Dual[] av = a.Data, bv = b.Data;
                if (!backward)
                {
                    for (int i = 0; i < m; i++)
                    {
                        for (int j = 0; j < n; j++)
                        {
                            Dual s = Zero;
                            for (int p = 0; p < k; p++)
                            {
                                s += av[i * k + p] * bv[p * n + j];
                            }
                            y.Data[i * n + j] = s;
                        }
                    }
                    break;
                }
                Dual[] g = y.Adjoint!;
                if (a.RequiresGradient)
                {
                    Dual[] ga = a.AdjointBuffer();   // ā (m, k) += ȳ (m, n) · bᵀ (n, k)
                    for (int i = 0; i < m; i++)
                    {
                        for (int p = 0; p < k; p++)
                        {
                            Dual s = Zero;
                            for (int j = 0; j < n; j++)
                            {
                                s += g[i * n + j] * bv[p * n + j];
                            }
                            ga[i * k + p] += s;
                        }
                    }
                }
                if (b.RequiresGradient)
                {
                    Dual[] gb = b.AdjointBuffer();   // b̄ (k, n) += aᵀ (k, m) · ȳ (m, n)
                    for (int p = 0; p < k; p++)
                    {
                        for (int j = 0; j < n; j++)
                        {
                            Dual s = Zero;
                            for (int i = 0; i < m; i++)
                            {
                                s += av[i * k + p] * g[i * n + j];
                            }
                            gb[p * n + j] += s;
                        }
                    }
                }
                break;
            }
            case Op.Transpose:
            {
                // y (n, m) = aᵀ, a (m, n)
                Node a = y.Inputs[0];
                int m = a.Rows, n = a.Cols;
                Dual[]? ga = backward ? a.AdjointBuffer() : null;
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        if (ga is null)
                        {
                            y.Data[j * m + i] = a.Data[i * n + j];
                        }
                        else
                        {
                            ga[i * n + j] += y.Adjoint![j * m + i];
                        }
                    }
                }
                break;
            }
            case Op.Reshape:
            {
                // y (r, c) = a (r', c') with r·c = r'·c', same row-major order
                Node a = y.Inputs[0];
                if (!backward)
                {
                    Array.Copy(a.Data, y.Data, y.Data.Length);
                    break;
                }
                Dual[] ga = a.AdjointBuffer();
                for (int i = 0; i < ga.Length; i++)
                {
                    ga[i] += y.Adjoint![i];
                }
                break;
            }
            case Op.Sum:
            case Op.RowSums:
            case Op.ColumnSums:
            {
                // y (1, 1) = Σ a  |  y (m, 1) = Σⱼ a[i, j]  |  y (1, n) = Σᵢ a[i, j];  ā[i, j] += ȳ[its sum]
                Node a = y.Inputs[0];
                int m = a.Rows, n = a.Cols;
                if (!backward)
                {
                    Array.Clear(y.Data, 0, y.Data.Length);
                }
                Dual[]? ga = backward ? a.AdjointBuffer() : null;
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        int t = y.Op == Op.Sum ? 0 : y.Op == Op.RowSums ? i : j;
                        if (ga is null)
                        {
                            y.Data[t] += a.Data[i * n + j];
                        }
                        else
                        {
                            ga[i * n + j] += y.Adjoint![t];
                        }
                    }
                }
                break;
            }
            case Op.RowMaxes:
            {
                // y (m, 1) = maxⱼ a[i, j]; the max gate routes ȳ[i] to the first largest element
                Node a = y.Inputs[0];
                int m = a.Rows, n = a.Cols;
                Dual[]? ga = backward ? a.AdjointBuffer() : null;
                for (int i = 0; i < m; i++)
                {
                    int best = i * n;
                    for (int j = 1; j < n; j++)
                    {
                        if (a.Data[i * n + j].Value > a.Data[best].Value)
                        {
                            best = i * n + j;
                        }
                    }
                    if (ga is null)
                    {
                        y.Data[i] = a.Data[best];
                    }
                    else
                    {
                        ga[best] += y.Adjoint![i];
                    }
                }
                break;
            }
            default:
                throw new InvalidOperationException("autodiff: no rule for " + y.Op);
        }
    }

    /// <summary>σ(x) = 1 / (1 + e⁻ˣ), never exponentiating a large positive number.</summary>
    private static Dual Sigmoid(Dual x)
    {
        if (x.Value >= 0)
        {
            return 1 / (1 + Dual.Exp(-x));
        }
        var e = Dual.Exp(x);
        return e / (1 + e);
    }

    /// <summary>ln(1 + eˣ) = max(x, 0) + ln(1 + e^−|x|).</summary>
    private static Dual Softplus(Dual x) =>
        x.Value > 0 ? x + Dual.Log(1 + Dual.Exp(-x)) : Dual.Log(1 + Dual.Exp(x));

    private static void Unary(Node y, bool backward, Func<Dual, double, (Dual Value, Dual Derivative)> rule)
    {
        Node a = y.Inputs[0];
        double parameter = y.Parameter;
        if (!backward)
        {
            for (int i = 0; i < y.Data.Length; i++)
            {
                Dual x = a.Data[i];
                var (v, d) = rule(x, parameter);
                y.Data[i] = new Dual(v.Value, Dual.Scale(d.Value, x.Tangent));
            }
            return;
        }
        Dual[] g = y.Adjoint!, ga = a.AdjointBuffer();
        for (int i = 0; i < g.Length; i++)
        {
            ga[i] += Dual.Scale(rule(a.Data[i], parameter).Derivative, g[i]);
        }
    }

    private static void Binary(Node y, bool backward, Func<Dual, Dual, (Dual Value, Dual DLeft, Dual DRight)> rule)
    {
        Node a = y.Inputs[0], b = y.Inputs[1];
        Dual[]? ga = backward && a.RequiresGradient ? a.AdjointBuffer() : null;
        Dual[]? gb = backward && b.RequiresGradient ? b.AdjointBuffer() : null;
        for (int i = 0; i < y.Rows; i++)
        {
            for (int j = 0; j < y.Cols; j++)
            {
                // Broadcasting: a dimension of 1 repeats.
                int ia = (a.Rows == 1 ? 0 : i) * a.Cols + (a.Cols == 1 ? 0 : j);
                int ib = (b.Rows == 1 ? 0 : i) * b.Cols + (b.Cols == 1 ? 0 : j);
                int iy = i * y.Cols + j;
                Dual xa = a.Data[ia], xb = b.Data[ib];
                var (v, da, db) = rule(xa, xb);
                if (!backward)
                {
                    y.Data[iy] = new Dual(v.Value, Dual.Scale(da.Value, xa.Tangent) + Dual.Scale(db.Value, xb.Tangent));
                    continue;
                }
                Dual g = y.Adjoint![iy];
                if (ga is not null)
                {
                    ga[ia] += Dual.Scale(da, g);
                }
                if (gb is not null)
                {
                    gb[ib] += Dual.Scale(db, g);
                }
            }
        }
    }
}
