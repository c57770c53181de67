using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Cortex.Autodiff;

/// <summary>
/// Prints the evaluation traces of the notes as markdown tables: the forward primal trace (v),
/// the forward tangent trace (v̇) and the reverse adjoint trace (v̄). Variables the output depends on
/// are numbered v₁₋ₙ … v₀ in the order they were created, ops v₁, v₂, … in tape order; scalar
/// constants appear as numbers. Values print with up to three decimals; a non-scalar shows its shape
/// and first elements.
/// </summary>
public static class Traces
{
    private const string Dot = "\u0307";
    private const string Bar = "\u0304";

    /// <summary>The forward primal trace: each v, the expression that computed it, its value; then y.</summary>
    /// <param name="output">The output y.</param>
    public static string Primal(Node output)
    {
        var labels = new Labels(output);
        var rows = new List<string[]> { new[] { "v", "expression", "value" } };
        foreach (Node node in labels.Order)
        {
            string expression = node.IsVariable ? labels.Name(node) : Fill(Notation(node).Forward, node, labels);
            rows.Add(new[] { labels.Of(node), expression, Values(node.Data, static d => d.Value) });
        }
        rows.Add(new[] { "y", labels.Of(output), Values(output.Data, static d => d.Value) });
        return Table(rows);
    }

    /// <summary>
    /// The forward tangent trace: each v̇ = Σ ∂v/∂u · u̇ with its value, for the tangents the variables
    /// were created with (ẋ = the direction). Ends with ẏ, the directional derivative.
    /// </summary>
    /// <param name="output">The output y.</param>
    public static string Tangent(Node output)
    {
        var labels = new Labels(output);
        var rows = new List<string[]> { new[] { "v" + Dot, "expression", "value" } };
        foreach (Node node in labels.Order)
        {
            string expression;
            if (node.IsVariable)
            {
                expression = Dotted(labels.Name(node));
            }
            else
            {
                Term[] terms = Notation(node).Terms;
                var text = new StringBuilder();
                for (int i = 0; i < node.Inputs.Length; i++)
                {
                    if (!node.Inputs[i].RequiresGradient)
                    {
                        continue;
                    }
                    string term = Fill(terms[i].Tangent, node, labels);
                    if (text.Length == 0)
                    {
                        text.Append(term);
                    }
                    else
                    {
                        text.Append(term.StartsWith("−", StringComparison.Ordinal) ? " − " + term.Substring(1) : " + " + term);
                    }
                }
                expression = text.Length == 0 ? "0" : text.ToString();
            }
            rows.Add(new[] { Dotted(labels.Of(node)), expression, Values(node.Data, static d => d.Tangent) });
        }
        rows.Add(new[] { Dotted("y"), Dotted(labels.Of(output)), Values(output.Data, static d => d.Tangent) });
        return Table(rows);
    }

    /// <summary>
    /// The reverse adjoint trace. Runs <see cref="Graph.Backward(Node)"/> (or the seeded overload) on
    /// the output's graph — replacing its adjoints, as every backward does — and lists each
    /// contribution in sweep order: v̄ᵤ (+)= v̄ᵥ·∂v/∂u, the contribution, and the adjoint so far. Ends
    /// with x̄ for every variable.
    /// </summary>
    /// <param name="output">The output y.</param>
    /// <param name="seed">ȳ; null for 1 (the output must then be a scalar).</param>
    /// <exception cref="ArgumentException">No seed for a non-scalar output, or a seed of the wrong shape.</exception>
    public static string Adjoint(Node output, Matrix? seed = null)
    {
        if (output is null)
        {
            throw new ArgumentNullException(nameof(output));
        }
        var steps = new List<AdjointStep>();
        output.Graph.Backward(output, seed, steps);

        var labels = new Labels(output);
        var rows = new List<string[]> { new[] { "v" + Bar, "expression", "contribution", "value" } };
        string start = Values(output.Adjoint!, static d => d.Value);
        rows.Add(new[] { Barred(labels.Of(output)), Barred("y"), start, start });
        foreach (AdjointStep step in steps)
        {
            Term[] terms = Notation(step.From).Terms;
            var text = new StringBuilder();
            if (step.Accumulated)
            {
                text.Append(Barred(labels.Of(step.To))).Append(" + ");
            }
            for (int k = 0; k < step.InputIndices.Length; k++)
            {
                text.Append(k > 0 ? " + " : "").Append(Fill(terms[step.InputIndices[k]].Adjoint, step.From, labels));
            }
            rows.Add(new[]
            {
                Barred(labels.Of(step.To)), text.ToString(),
                Values(step.Contribution, static d => d.Value), Values(step.Total, static d => d.Value),
            });
        }
        foreach (Node node in labels.Order)
        {
            if (node.IsVariable)
            {
                string value = node.Adjoint is null ? "0" : Values(node.Adjoint, static d => d.Value);
                rows.Add(new[] { Barred(labels.Name(node)), Barred(labels.Of(node)), "", value });
            }
        }
        return Table(rows);
    }

    // ---- Notation: how each op is written (display only; the rules live in Rules.Run) ----------

    /// <summary>How one input enters the tangent (with @da/@db) and the adjoint (with @g).</summary>
    private readonly struct Term
    {
        public Term(string tangent, string adjoint)
        {
            Tangent = tangent;
            Adjoint = adjoint;
        }

        public string Tangent { get; }

        public string Adjoint { get; }
    }

    private static (string Forward, Term[] Terms) Notation(Node n)
    {
        string p = Number(n.Parameter);
        return n.Op switch
        {
            Op.Add => ("@a + @b", Scalar("1", "1")),
            Op.Sub => ("@a − @b", Scalar("1", "−1")),
            Op.Mul => ("@a × @b", Scalar("@b", "@a")),
            Op.Div => ("@a / @b", Scalar("1 / @b", "−@a / @b²")),
            Op.Max => ("max(@a, @b)", Scalar("[@a ≥ @b]", "[@a < @b]")),
            Op.Pow => ("@a ^ @b", Scalar("@b × @a ^ (@b − 1)", "@a ^ @b × ln @a")),
            Op.Neg => ("−@a", Scalar("−1")),
            Op.Exp => ("exp @a", Scalar("exp @a")),
            Op.Log => ("ln @a", Scalar("1 / @a")),
            Op.Sin => ("sin @a", Scalar("cos @a")),
            Op.Cos => ("cos @a", Scalar("−sin @a")),
            Op.PowConst => ("@a ^ " + p, Scalar(p + " × @a ^ " + Number(n.Parameter - 1))),
            Op.Tanh => ("tanh @a", Scalar("(1 − tanh² @a)")),
            Op.Sigmoid => ("σ(@a)", Scalar("σ(@a)(1 − σ(@a))")),
            Op.Softplus => ("softplus @a", Scalar("σ(@a)")),
            Op.Relu => ("relu @a", Scalar("[@a > 0]")),
            Op.LeakyRelu => ("leaky_relu(@a, " + p + ")", Scalar("([@a ≥ 0] ? 1 : " + p + ")")),
            Op.Elu => ("elu(@a, " + p + ")", Scalar("([@a > 0] ? 1 : " + p + " × exp @a)")),
            Op.BinaryStep => ("step @a", Scalar("0")),
            Op.Abs => ("|@a|", Scalar("sign @a")),
            Op.MatMul => ("@a · @b", new[] { new Term("@da · @b", "@g · @bᵀ"), new Term("@a · @db", "@aᵀ · @g") }),
            Op.Transpose => ("@aᵀ", new[] { new Term("@daᵀ", "@gᵀ") }),
            Op.Reshape => ("reshape(@a, " + n.Rows.ToString(CultureInfo.InvariantCulture) + ", "
                + n.Cols.ToString(CultureInfo.InvariantCulture) + ")", new[] { new Term("reshape @da", "reshape @g") }),
            Op.Sum => ("Σ @a", new[] { new Term("Σ @da", "broadcast @g") }),
            Op.RowSums => ("rowsum @a", new[] { new Term("rowsum @da", "broadcast @g") }),
            Op.ColumnSums => ("colsum @a", new[] { new Term("colsum @da", "broadcast @g") }),
            Op.RowMaxes => ("rowmax @a", new[] { new Term("@da at argmax", "@g to argmax") }),
            _ => (n.Op.ToString(), Array.Empty<Term>()),
        };
    }

    /// <summary>Terms for element-wise ops from their scalar partial derivatives ∂y/∂a, ∂y/∂b.</summary>
    private static Term[] Scalar(params string[] partials)
    {
        var terms = new Term[partials.Length];
        for (int i = 0; i < partials.Length; i++)
        {
            string d = i == 0 ? "@da" : "@db", p = partials[i];
            terms[i] = p switch
            {
                "1" => new Term(d, "@g × 1"),
                "−1" => new Term("−" + d, "@g × (−1)"),
                _ when p.StartsWith("1 / ", StringComparison.Ordinal) => new Term(d + " / " + p.Substring(4), "@g / " + p.Substring(4)),
                _ when p.StartsWith("−", StringComparison.Ordinal) => new Term("−" + d + " × " + p.Substring(1), "@g × (" + p + ")"),
                _ => new Term(d + " × " + p, "@g × " + p),
            };
        }
        return terms;
    }

    private static string Fill(string template, Node node, Labels labels)
    {
        Node a = node.Inputs[0];
        Node? b = node.Inputs.Length > 1 ? node.Inputs[1] : null;
        string text = template
            .Replace("@da", Dotted(labels.Of(a)))
            .Replace("@db", b is null ? "" : Dotted(labels.Of(b)))
            .Replace("@a", labels.Of(a))
            .Replace("@b", b is null ? "" : labels.Of(b))
            .Replace("@g", Barred(labels.Of(node)));
        return text;
    }

    // ---- Labels ------------------------------------------------------------------------------

    /// <summary>The nodes <c>output</c> depends on, in tape order, with their v-numbers.</summary>
    private sealed class Labels
    {
        private readonly Dictionary<Node, string> _labels = new();
        private readonly Dictionary<Node, string> _names = new();

        public Labels(Node output)
        {
            if (output is null)
            {
                throw new ArgumentNullException(nameof(output));
            }
            IReadOnlyList<Node> tape = output.Graph.Nodes;
            var reached = new bool[output.Id + 1];
            reached[output.Id] = true;
            var order = new List<Node>();
            for (int id = output.Id; id >= 0; id--)
            {
                if (!reached[id])
                {
                    continue;
                }
                Node node = tape[id];
                foreach (Node input in node.Inputs)
                {
                    reached[input.Id] = true;
                }
                if (node.Op != Op.Constant)
                {
                    order.Add(node);
                }
            }
            order.Reverse();
            Order = order;

            int variables = 0;
            foreach (Node node in order)
            {
                variables += node.IsVariable ? 1 : 0;
            }
            int nextVariable = 1 - variables, nextOp = 1, count = 0;
            foreach (Node node in order)
            {
                _labels[node] = "v" + Subscript(node.IsVariable ? nextVariable++ : nextOp++);
                if (node.IsVariable)
                {
                    count++;
                    _names[node] = node.Name ?? "x" + count.ToString(CultureInfo.InvariantCulture);
                }
            }
        }

        public List<Node> Order { get; }

        public string Of(Node node)
        {
            if (_labels.TryGetValue(node, out string? label))
            {
                return label;
            }
            return node.Shape.IsScalar ? Number(node.Data[0].Value) : "C" + node.Shape;
        }

        public string Name(Node variable) => _names[variable];
    }

    // ---- Formatting --------------------------------------------------------------------------

    private static string Subscript(int number)
    {
        var text = new StringBuilder();
        foreach (char c in number.ToString(CultureInfo.InvariantCulture))
        {
            text.Append(c == '-' ? '₋' : (char)('₀' + (c - '0')));
        }
        return text.ToString();
    }

    /// <summary>Puts a combining dot over the first letter: v₁ → v̇₁, x1 → ẋ1.</summary>
    private static string Dotted(string label) => Mark(label, Dot);

    /// <summary>Puts a combining bar over the first letter: v₁ → v̄₁, x1 → x̄1.</summary>
    private static string Barred(string label) => Mark(label, Bar);

    /// <summary>Adds the mark after the first letter, composed where Unicode has one (ẋ, ȳ; v̇ stays combining).</summary>
    private static string Mark(string label, string mark) =>
        label.Length > 0 && char.IsLetter(label[0])
            ? (label.Substring(0, 1) + mark + label.Substring(1)).Normalize(NormalizationForm.FormC)
            : label;

    private static string Number(double value)
    {
        if (value == 0)
        {
            return "0";
        }
        double magnitude = Math.Abs(value);
        string format = magnitude < 1e-3 || magnitude >= 1e7 ? "0.###E+0" : "0.###";
        return value.ToString(format, CultureInfo.InvariantCulture);
    }

    private static string Values(Dual[] data, Func<Dual, double> part)
    {
        if (data.Length == 1)
        {
            return Number(part(data[0]));
        }
        var text = new StringBuilder("[");
        int shown = Math.Min(data.Length, 4);
        for (int i = 0; i < shown; i++)
        {
            text.Append(i > 0 ? ", " : "").Append(Number(part(data[i])));
        }
        return text.Append(shown < data.Length ? ", …]" : "]").ToString();
    }

    /// <summary>A markdown table, columns padded to their widths (combining marks take no width).</summary>
    private static string Table(List<string[]> rows)
    {
        int columns = rows[0].Length;
        var widths = new int[columns];
        foreach (string[] row in rows)
        {
            for (int c = 0; c < columns; c++)
            {
                widths[c] = Math.Max(widths[c], Width(row[c]));
            }
        }
        var text = new StringBuilder();
        for (int r = 0; r < rows.Count; r++)
        {
            AppendRow(text, rows[r], widths);
            if (r == 0)
            {
                var rule = new string[columns];
                for (int c = 0; c < columns; c++)
                {
                    rule[c] = new string('-', widths[c]);
                }
                AppendRow(text, rule, widths);
            }
        }
        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        text.Append('|');
        for (int c = 0; c < cells.Length; c++)
        {
            text.Append(' ').Append(cells[c]).Append(' ', widths[c] - Width(cells[c])).Append(" |");
        }
        text.Append('\n');
    }

    private static int Width(string cell)
    {
        int width = 0;
        foreach (char c in cell)
        {
            width += c >= '\u0300' && c <= '\u036F' ? 0 : 1;
        }
        return width;
    }
}
