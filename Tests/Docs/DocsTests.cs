using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NUnit.Framework;

namespace Cortex.Tests.Docs;

/// <summary>
/// The documentation does not drift: every ```csharp block in README.md and docs/ compiles against the current
/// API, and every relative link (and its #anchor) resolves. Each block is compiled as a program of top-level
/// statements beside a prelude (<see cref="Prelude"/>: the Cortex namespaces, and a few variables the prose talks
/// about — a brain, input, target, observation and action arrays — as static fields), so a fragment such as
/// <c>brain.Predict(observations, actions, batch: 1);</c> compiles as written, and a block may declare locals of the
/// same names. Blocks that are not meant to compile here — sketches against an
/// engine's API, console output, file listings — use another fence tag (```cs, ```text). A block that goes on
/// from the one before it (same page) is preceded by the line <c>&lt;!-- continues --&gt;</c> and compiled with it.
/// </summary>
[TestFixture]
public sealed class DocsTests
{
    private const string Prelude = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Runtime.InteropServices;
        global using Cortex;
        global using Cortex.Autodiff;
        global using Cortex.Backends;
        global using Cortex.Diagnostics;
        global using Cortex.Learning;
        global using Cortex.Realtime;
        global using Cortex.Serialization;
        global using Cortex.OpenCL;
        global using static DocsPrelude;
        global using DocsTypes;

        internal static class DocsPrelude
        {
            public static Brain brain = Brain.Create(4).Dense(2, Activation.Linear).Build(seed: 1);
            public static float[] inputs = new float[4], targets = new float[2], observations = new float[4], actions = new float[2];
            public static float[] testInputs = new float[4], testTargets = new float[2];
            public static int agentCount = 1;
            public static double frameSeconds = 1.0 / 60;
        }

        namespace DocsTypes
        {
            [StructLayout(LayoutKind.Sequential)] public struct Senses { public float Dx, Dy, Vx, Vy; }
            [StructLayout(LayoutKind.Sequential)] public struct Steering { public float Turn, Throttle; }
        }
        """;

    /// <summary>A line right before a fence that makes the block continue the previous block of the same tag on the page.</summary>
    private const string ContinuesMarker = "<!-- continues -->";

    private static readonly Regex Fence = new(@"^```(?<tag>[^\s`]*)\s*$", RegexOptions.Compiled);
    private static readonly Regex Link = new(@"(?<!!)\[(?<text>[^\]]*)\]\((?<target>[^)\s]+)\)|!\[(?<alt>[^\]]*)\]\((?<image>[^)\s]+)\)", RegexOptions.Compiled);

    /// <summary>One fenced block: the file, the line of its opening fence, its tag and its text.</summary>
    public sealed record CodeBlock(string File, int Line, string Tag, string Code)
    {
        /// <inheritdoc />
        public override string ToString() => $"{File}:{Line}";
    }

    private static IEnumerable<string> MarkdownFiles()
    {
        string root = RepositoryRoot();
        yield return Path.Combine(root, "README.md");
        foreach (string path in Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal))
        {
            yield return path;
        }
    }

    private static List<CodeBlock> Blocks(string path)
    {
        var blocks = new List<CodeBlock>();
        string[] lines = File.ReadAllText(path).Replace("\r\n", "\n").Split('\n');
        string relative = Path.GetRelativePath(RepositoryRoot(), path).Replace('\\', '/');
        for (int i = 0; i < lines.Length; i++)
        {
            Match open = Fence.Match(lines[i].TrimStart());
            if (!open.Success) continue;
            int indent = lines[i].Length - lines[i].TrimStart().Length;
            var code = new StringBuilder();
            int start = i;
            for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
            {
                code.Append(lines[i].Length >= indent ? lines[i][indent..] : lines[i].TrimStart()).Append('\n');
            }
            string tag = open.Groups["tag"].Value;
            bool continues = start > 0 && lines[start - 1].Trim() == ContinuesMarker;
            CodeBlock? previous = blocks.LastOrDefault(b => b.Tag == tag);
            if (continues && previous is null) throw new InvalidOperationException($"{relative}:{start + 1} continues no block");
            blocks.Add(new CodeBlock(relative, start + 1, tag, (continues ? previous!.Code : "") + code));
        }
        return blocks;
    }

    /// <summary>Every ```csharp block of the documentation.</summary>
    public static IEnumerable<TestCaseData> CSharpBlocks() =>
        MarkdownFiles().SelectMany(Blocks).Where(b => b.Tag == "csharp").Select(b => new TestCaseData(b).SetName($"CSharpBlockCompiles({b})"));

    /// <summary>Every markdown file of the documentation.</summary>
    public static IEnumerable<TestCaseData> Files() =>
        MarkdownFiles().Select(p => new TestCaseData(p).SetName($"RelativeLinksResolve({Path.GetRelativePath(RepositoryRoot(), p).Replace('\\', '/')})"));

    [Test]
    public void TheDocumentationHasCSharpBlocksAndFencesAreClosed()
    {
        int count = 0;
        foreach (string path in MarkdownFiles())
        {
            int fences = File.ReadAllLines(path).Count(l => l.TrimStart().StartsWith("```", StringComparison.Ordinal));
            Assert.That(fences % 2, Is.EqualTo(0), $"{path}: an unclosed code fence");
            count += Blocks(path).Count(b => b.Tag == "csharp");
        }
        Assert.That(count, Is.GreaterThanOrEqualTo(15), "the extractor found too few ```csharp blocks");
    }

    [TestCaseSource(nameof(CSharpBlocks))]
    public void CSharpBlockCompiles(CodeBlock block)
    {
        IReadOnlyList<Diagnostic> errors = Compile(block.Code);
        Assert.That(errors, Is.Empty, () => $"{block} does not compile:\n" + string.Join("\n", errors.Select(d => d.ToString())) + "\n---\n" + block.Code);
    }

    [Test]
    public void TheCompilerCatchesABrokenBlock()
    {
        Assert.That(Compile("brain.PredictEverything(observations);"), Is.Not.Empty);
        Assert.That(Compile("brain.Predict(observations, actions, batch: 1);"), Is.Empty);
    }

    [TestCaseSource(nameof(Files))]
    public void RelativeLinksResolve(string path)
    {
        string text = File.ReadAllText(path).Replace("\r\n", "\n");
        var broken = new List<string>();
        foreach (Match m in Link.Matches(StripCode(text)))
        {
            string target = m.Groups["target"].Success ? m.Groups["target"].Value : m.Groups["image"].Value;
            if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal)) continue;
            int hash = target.IndexOf('#', StringComparison.Ordinal);
            string file = hash < 0 ? target : target[..hash];
            string? anchor = hash < 0 ? null : target[(hash + 1)..];
            string resolved = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, Uri.UnescapeDataString(file)));
            if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                broken.Add($"{target}: {resolved} does not exist");
                continue;
            }
            if (anchor is not null && resolved.EndsWith(".md", StringComparison.Ordinal) && !Anchors(File.ReadAllText(resolved)).Contains(anchor))
            {
                broken.Add($"{target}: no heading with anchor #{anchor} in {Path.GetFileName(resolved)}");
            }
        }
        Assert.That(broken, Is.Empty, $"{path} has broken links");
    }

    [Test]
    public void AnchorsFollowGitHub()
    {
        Assert.That(Anchors("## Background training\n## The core: brains, layers\n## `Train` vs `TryTrain`"),
            Is.EquivalentTo(new[] { "background-training", "the-core-brains-layers", "train-vs-trytrain" }));
    }

    private static string StripCode(string text)
    {
        var output = new StringBuilder();
        bool inFence = false;
        foreach (string line in text.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) { inFence = !inFence; continue; }
            if (!inFence) output.Append(Regex.Replace(line, "`[^`]*`", "")).Append('\n');
        }
        return output.ToString();
    }

    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        bool inFence = false;
        foreach (string raw in markdown.Replace("\r\n", "\n").Split('\n'))
        {
            if (raw.TrimStart().StartsWith("```", StringComparison.Ordinal)) { inFence = !inFence; continue; }
            if (inFence || !raw.StartsWith('#')) continue;
            string heading = raw.TrimStart('#').Trim();
            var slug = new StringBuilder();
            foreach (char c in heading.ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(c) || c == '-' || c == '_') slug.Append(c);
                else if (c == ' ') slug.Append('-');
            }
            string baseSlug = slug.ToString(), candidate = baseSlug;
            for (int n = 1; !anchors.Add(candidate); n++) candidate = $"{baseSlug}-{n}";
        }
        return anchors;
    }

    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (string p in ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)) paths.Add(p);
        paths.Add(typeof(Brain).Assembly.Location);
        paths.Add(typeof(Cortex.OpenCL.OpenClBackend).Assembly.Location);
        paths.Add(typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.Location);
        return paths.Where(File.Exists).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
    });

    /// <summary>
    /// Compiles a block as a program with top-level statements, beside the prelude. C# wants top-level statements
    /// before type declarations, and a block may show a struct first and then use it, so the block's global
    /// statements are moved in front of its types (the order of statements and of types is kept).
    /// </summary>
    private static IReadOnlyList<Diagnostic> Compile(string code)
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var root = (Microsoft.CodeAnalysis.CSharp.Syntax.CompilationUnitSyntax)CSharpSyntaxTree.ParseText(code, options).GetRoot();
        var statements = root.Members.OfType<Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax>().ToList();
        var others = root.Members.Where(m => m is not Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax).ToList();
        string reordered = string.Concat(root.Externs.Select(e => e.ToFullString())) + string.Concat(root.Usings.Select(u => u.ToFullString()))
            + string.Concat(root.AttributeLists.Select(a => a.ToFullString()))
            + string.Concat(statements.Select(s => s.ToFullString())) + "\n" + string.Concat(others.Select(m => m.ToFullString()));
        var compilation = CSharpCompilation.Create("DocsBlock",
            new[] { CSharpSyntaxTree.ParseText(reordered, options), CSharpSyntaxTree.ParseText(Prelude, options) },
            References.Value,
            new CSharpCompilationOptions(statements.Count > 0 ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
        return compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Engine.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Engine.sln not found above the test directory");
    }
}
