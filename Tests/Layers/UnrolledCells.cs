using Cortex.Autodiff;

namespace Cortex.Tests.Layers;

/// <summary>The recurrent cells built from the autodiff engine's primitives: the independent oracle for BPTT.</summary>
internal static class UnrolledCells
{
    /// <summary>Graph inputs per cell: GRU W_u, W_r, W_n, U_u, U_r, U_n, b_xu, b_xr, b_xn, b_hu, b_hr, b_hn; Elman W, U, b.</summary>
    public static int InputCount(bool gru) => gru ? 12 : 3;

    // u = σ(x W_uᵀ + b_xu + h U_uᵀ + b_hu), r likewise, n = tanh(x W_nᵀ + b_xn + r ⊙ (h U_nᵀ + b_hn)), h′ = (1 − u) ⊙ n + u ⊙ h.
    public static Node Gru(Graph g, Node[] p, int at, Node h, Node x)
    {
        Node Gx(int k) => g.Add(g.MatMul(x, g.Transpose(p[at + k])), p[at + 6 + k]);
        Node Gh(int k) => g.Add(g.MatMul(h, g.Transpose(p[at + 3 + k])), p[at + 9 + k]);
        Node u = g.Sigmoid(g.Add(Gx(0), Gh(0)));
        Node r = g.Sigmoid(g.Add(Gx(1), Gh(1)));
        Node n = g.Tanh(g.Add(Gx(2), g.Mul(r, Gh(2))));
        return g.Add(g.Mul(g.Sub(g.Constant(1.0), u), n), g.Mul(u, h));
    }

    // h′ = tanh(x Wᵀ + h Uᵀ + b).
    public static Node Elman(Graph g, Node[] p, int at, Node h, Node x) =>
        g.Tanh(g.Add(g.Add(g.MatMul(x, g.Transpose(p[at])), g.MatMul(h, g.Transpose(p[at + 1]))), p[at + 2]));

    public static Node Cell(bool gru, Graph g, Node[] p, int at, Node h, Node x) => gru ? Gru(g, p, at, h, x) : Elman(g, p, at, h, x);
}
