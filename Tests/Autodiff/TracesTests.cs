using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Cortex.Autodiff;
using NUnit.Framework;

namespace Cortex.Tests.Autodiff;

/// <summary>The notes' example f(x1, x2) = ln(x1) + x1·x2 − sin(x2) at (2, 5), with ẋ = (1, 0).</summary>
[TestFixture]
public sealed class TracesTests
{
    private const double Tol = 5e-4;   // the notes print three decimals

    /// <summary>Written in the notes' order, so tape order gives the notes' numbering v1 … v5.</summary>
    private static (Graph Graph, Node X1, Node X2, Node[] V) Example()
    {
        var g = new Graph();
        Node x1 = g.Variable(2, tangent: 1, name: "x1");
        Node x2 = g.Variable(5, tangent: 0, name: "x2");
        Node v1 = g.Log(x1);
        Node v2 = x1 * x2;
        Node v3 = g.Sin(x2);
        Node v4 = v1 + v2;
        Node v5 = v4 - v3;
        return (g, x1, x2, new[] { x1, x2, v1, v2, v3, v4, v5 });
    }

    [Test]
    public void PrimalValuesMatchTheNotes()
    {
        Node[] v = Example().V;
        double[] expected = { 2, 5, 0.693, 10, -0.959, 10.693, 11.652 };
        for (int i = 0; i < v.Length; i++)
        {
            Assert.That(v[i].Value, Is.EqualTo(expected[i]).Within(Tol), "v" + (i - 1));
        }
    }

    [Test]
    public void TangentsMatchTheNotes()
    {
        Node[] v = Example().V;
        double[] expected = { 1, 0, 0.5, 5, 0, 5.5, 5.5 };
        for (int i = 0; i < v.Length; i++)
        {
            Assert.That(v[i].Tangent, Is.EqualTo(expected[i]).Within(Tol), "v̇" + (i - 1));
        }
    }

    [Test]
    public void AdjointsMatchTheNotes()
    {
        var (g, x1, x2, v) = Example();
        g.Backward(v[6]);
        double[] expected = { 5.5, 1.716, 1, 1, -1, 1, 1 };
        for (int i = 0; i < v.Length; i++)
        {
            Assert.That(v[i].Gradient, Is.EqualTo(expected[i]).Within(Tol), "v̄" + (i - 1));
        }
        Assert.That(x1.Gradient, Is.EqualTo(5.5).Within(1e-12));
        Assert.That(x2.Gradient, Is.EqualTo(2 - Math.Cos(5)).Within(1e-12));
    }

    [Test]
    public void AdjointContributionsArriveInTheNotesOrder()
    {
        var (g, _, _, v) = Example();
        var steps = new List<AdjointStep>();
        g.Backward(v[6], null, steps);

        // (receiving v-index, contribution, total), read bottom-up in the notes' table
        var expected = new (int To, double Contribution, double Total)[]
        {
            (4, 1, 1), (3, -1, -1),                  // v̄4 = v̄5 × 1, v̄3 = v̄5 × (−1)
            (1, 1, 1), (2, 1, 1),                    // v̄1 = v̄4 × 1, v̄2 = v̄4 × 1
            (0, -0.284, -0.284),                     // v̄0 = v̄3 × cos v0
            (-1, 5, 5), (0, 2, 1.716),               // v̄−1 = v̄2 × v0, v̄0 += v̄2 × v−1
            (-1, 0.5, 5.5),                          // v̄−1 += v̄1 / v−1
        };
        Assert.That(steps, Has.Count.EqualTo(expected.Length));
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.That(steps[i].To, Is.SameAs(v[expected[i].To + 1]), "step " + i);
            Assert.That(steps[i].Contribution[0].Value, Is.EqualTo(expected[i].Contribution).Within(Tol), "step " + i);
            Assert.That(steps[i].Total[0].Value, Is.EqualTo(expected[i].Total).Within(Tol), "step " + i);
        }
    }

    /// <summary>The table's rows, each cell trimmed; header and rule left out.</summary>
    private static List<string[]> Rows(string table)
    {
        var rows = new List<string[]>();
        string[] lines = table.TrimEnd('\n').Split('\n');
        for (int i = 2; i < lines.Length; i++)
        {
            string[] cells = lines[i].Trim('|').Split('|');
            for (int c = 0; c < cells.Length; c++)
            {
                cells[c] = cells[c].Trim();
            }
            rows.Add(cells);
        }
        return rows;
    }

    [Test]
    public void PrimalTraceReadsLikeTheNotes()
    {
        List<string[]> rows = Rows(Traces.Primal(Example().V[6]));
        string[][] expected =
        {
            new[] { "v₋₁", "x1", "2" },
            new[] { "v₀", "x2", "5" },
            new[] { "v₁", "ln v₋₁", "0.693" },
            new[] { "v₂", "v₋₁ × v₀", "10" },
            new[] { "v₃", "sin v₀", "-0.959" },
            new[] { "v₄", "v₁ + v₂", "10.693" },
            new[] { "v₅", "v₄ − v₃", "11.652" },
            new[] { "y", "v₅", "11.652" },
        };
        Assert.That(rows, Is.EqualTo(expected));
    }

    [Test]
    public void TangentTraceReadsLikeTheNotes()
    {
        List<string[]> rows = Rows(Traces.Tangent(Example().V[6]));
        string[][] expected =
        {
            new[] { "v̇₋₁", "ẋ1", "1" },
            new[] { "v̇₀", "ẋ2", "0" },
            new[] { "v̇₁", "v̇₋₁ / v₋₁", "0.5" },
            new[] { "v̇₂", "v̇₋₁ × v₀ + v̇₀ × v₋₁", "5" },
            new[] { "v̇₃", "v̇₀ × cos v₀", "0" },
            new[] { "v̇₄", "v̇₁ + v̇₂", "5.5" },
            new[] { "v̇₅", "v̇₄ − v̇₃", "5.5" },
            new[] { "ẏ", "v̇₅", "5.5" },
        };
        Assert.That(rows, Is.EqualTo(expected));
    }

    [Test]
    public void AdjointTraceReadsLikeTheNotes()
    {
        List<string[]> rows = Rows(Traces.Adjoint(Example().V[6]));
        string[][] expected =
        {
            new[] { "v̄₅", "ȳ", "1", "1" },
            new[] { "v̄₄", "v̄₅ × 1", "1", "1" },
            new[] { "v̄₃", "v̄₅ × (−1)", "-1", "-1" },
            new[] { "v̄₁", "v̄₄ × 1", "1", "1" },
            new[] { "v̄₂", "v̄₄ × 1", "1", "1" },
            new[] { "v̄₀", "v̄₃ × cos v₀", "-0.284", "-0.284" },
            new[] { "v̄₋₁", "v̄₂ × v₀", "5", "5" },
            new[] { "v̄₀", "v̄₀ + v̄₂ × v₋₁", "2", "1.716" },
            new[] { "v̄₋₁", "v̄₋₁ + v̄₁ / v₋₁", "0.5", "5.5" },
            new[] { "x̄1", "v̄₋₁", "", "5.5" },
            new[] { "x̄2", "v̄₀", "", "1.716" },
        };
        Assert.That(rows, Is.EqualTo(expected));
    }

    [Test]
    public void TracesHandleMatricesAndConstants()
    {
        var g = new Graph();
        Node w = g.Variable(Seeded.Uniform(1, 2, 3), Seeded.Uniform(2, 2, 3));
        Node x = g.Variable(Seeded.Uniform(3, 3, 1));
        Node y = g.Sum(g.Tanh(g.MatMul(w, x)) * 2);
        Assert.That(Traces.Primal(y), Does.Contain("v₋₁ · v₀"));
        Assert.That(Traces.Tangent(y), Does.Contain("v̇₋₁ · v₀"));
        Assert.That(Traces.Adjoint(y), Does.Contain("v̄₁ · v₀ᵀ"));
        Assert.That(Traces.Primal(y), Does.Contain("v₂ × 2"));
    }

    /// <summary>The snippet for the docs: docs/autodiff-traces.md and the traces in docs/autodiff.md must be exactly this output.</summary>
    internal static string Snippet()
    {
        Node y = Example().V[6];
        var text = new StringBuilder();
        text.Append("<!-- Generated by Tests/Autodiff/TracesTests.cs from Traces.Primal/Tangent/Adjoint; ")
            .Append("regenerate with CORTEX_UPDATE_DOCS=1 dotnet test Tests -c Release --filter TracesTests. -->\n")
            .Append("f(x1, x2) = ln(x1) + x1·x2 − sin(x2) at (x1, x2) = (2, 5), with tangent (ẋ1, ẋ2) = (1, 0):\n\n")
            .Append("**Forward primal trace**\n\n").Append(Traces.Primal(y))
            .Append("\n**Forward tangent trace** (ẏ = ∂y/∂x1)\n\n").Append(Traces.Tangent(y))
            .Append("\n**Reverse adjoint trace** (v̄ = ∂y/∂v)\n\n").Append(Traces.Adjoint(y));
        return text.ToString();
    }

    [Test]
    public void DocsSnippetIsTheGeneratedOutput()
    {
        string root = RepositoryRoot();
        string snippetPath = Path.Combine(root, "docs", "autodiff-traces.md");
        string readmePath = Path.Combine(root, "docs", "autodiff.md");
        string expected = Snippet();
        const string Begin = "<!-- traces:begin -->\n", End = "<!-- traces:end -->";
        if (Environment.GetEnvironmentVariable("CORTEX_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(snippetPath, expected, new UTF8Encoding(false));
            string readme = File.ReadAllText(readmePath).Replace("\r\n", "\n");
            int begin = readme.IndexOf(Begin, StringComparison.Ordinal) + Begin.Length;
            int end = readme.IndexOf(End, StringComparison.Ordinal);
            File.WriteAllText(readmePath, readme.Substring(0, begin) + expected + readme.Substring(end), new UTF8Encoding(false));
        }
        Assert.That(File.ReadAllText(snippetPath).Replace("\r\n", "\n"), Is.EqualTo(expected));
        Assert.That(File.ReadAllText(readmePath).Replace("\r\n", "\n"), Does.Contain(Begin + expected + End));
    }

    [Test]
    public void ReadmeExampleGivesTheNotesNumbers()
    {
        var g = new Graph();
        Node x1 = g.Variable(2, tangent: 1, name: "x1");
        Node x2 = g.Variable(5, tangent: 0, name: "x2");
        Node y = g.Log(x1) + x1 * x2 - g.Sin(x2);
        Assert.That(y.Value, Is.EqualTo(11.652).Within(Tol));
        Assert.That(y.Tangent, Is.EqualTo(5.5).Within(Tol));
        g.Backward(y);
        Assert.That(x1.Gradient, Is.EqualTo(5.5).Within(Tol));
        Assert.That(x2.Gradient, Is.EqualTo(1.716).Within(Tol));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Engine.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Engine.sln not found above the test directory");
    }
}
