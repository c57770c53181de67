using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Xml.Linq;
using NUnit.Framework;

namespace Cortex.Tests.Packaging;

/// <summary>
/// The Unity package (unity/com.cortex.runtime) is produced by unity/build.sh from the build: this runs the script
/// into a temporary folder and checks the manifest, the sample and link.xml, and that Runtime/Plugins holds
/// Cortex.Runtime and exactly the netstandard2.1 runtime assemblies of its dependency closure (as restore resolved
/// them in Runtime/obj/project.assets.json), byte for byte, less the ones .NET Standard 2.1 itself provides.
/// </summary>
[TestFixture]
public sealed class UnityPackageTests
{
    private static readonly string[] ProvidedByNetStandard21 = { "System.Buffers", "System.Memory", "System.Numerics.Vectors" };
    private string _package = null!;
    private string _root = null!;

    [OneTimeSetUp]
    public void Build()
    {
        _root = RepositoryRoot();
        _package = Path.Combine(Path.GetTempPath(), "cortex-unity-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("bash", $"unity/build.sh \"{_package}\"")
        {
            WorkingDirectory = _root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.EqualTo(0), output);
    }

    [OneTimeTearDown]
    public void Clean()
    {
        if (Directory.Exists(_package)) Directory.Delete(_package, recursive: true);
    }

    [Test]
    public void ManifestNamesThePackageTheVersionAndTheSample()
    {
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(_package, "package.json")));
        JsonElement m = manifest.RootElement;
        Assert.That(m.GetProperty("name").GetString(), Is.EqualTo("com.cortex.runtime"));
        string version = XDocument.Load(Path.Combine(_root, "Directory.Build.props")).Descendants("Version").Single().Value;
        Assert.That(m.GetProperty("version").GetString(), Is.EqualTo(version), "package.json and Directory.Build.props disagree on the version");
        Assert.That(m.GetProperty("unity").GetString(), Is.EqualTo("2021.2"), "netstandard2.1 needs Unity 2021.2 or newer");
        Assert.That(m.GetProperty("license").GetString(), Is.EqualTo("MIT"));
        foreach (JsonElement sample in m.GetProperty("samples").EnumerateArray())
        {
            string path = Path.Combine(_package, sample.GetProperty("path").GetString()!);
            Assert.That(Directory.EnumerateFiles(path, "*.cs"), Is.Not.Empty, path);
            Assert.That(Directory.EnumerateFiles(path, "*.asmdef"), Is.Not.Empty, path);
        }
        Assert.That(File.Exists(Path.Combine(_package, "LICENSE.md")), Is.True);
    }

    [Test]
    public void PluginsAreCortexAndExactlyItsNetStandardDependencies()
    {
        Dictionary<string, string> expected = DependencyClosure();
        expected["Cortex.Runtime.dll"] = Path.Combine(_root, "Runtime", "bin", "Release", "netstandard2.1", "Cortex.Runtime.dll");
        string plugins = Path.Combine(_package, "Runtime", "Plugins");
        string[] actual = Directory.EnumerateFiles(plugins, "*.dll").Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray()!;
        Assert.That(actual, Is.EqualTo(expected.Keys.OrderBy(n => n, StringComparer.Ordinal).ToArray()));
        foreach ((string name, string source) in expected)
        {
            if (name == "Cortex.Runtime.dll") continue;   // built by the script itself; the others come from packages
            Assert.That(File.ReadAllBytes(Path.Combine(plugins, name)), Is.EqualTo(File.ReadAllBytes(source)), name);
        }
        Assert.That(new FileInfo(Path.Combine(plugins, "Cortex.Runtime.dll")).Length, Is.GreaterThan(100_000));
    }

    [Test]
    public void LinkXmlPreservesAssembliesThePackageShips()
    {
        XDocument link = XDocument.Load(Path.Combine(_package, "Runtime", "link.xml"));
        string[] assemblies = link.Descendants("assembly").Select(a => (string)a.Attribute("fullname")!).ToArray();
        Assert.That(assemblies, Does.Contain("Cortex.Runtime"));
        foreach (string assembly in assemblies)
        {
            Assert.That(File.Exists(Path.Combine(_package, "Runtime", "Plugins", assembly + ".dll")), Is.True, assembly);
        }
        Assert.That(link.Descendants("namespace").Select(n => (string)n.Attribute("fullname")!),
            Is.All.Matches<string>(ns => typeof(Brain).Assembly.GetTypes().Any(t => t.Namespace == ns)));
    }

    /// <summary>The runtime assemblies of Runtime's netstandard2.1 dependency closure, by file name, with their paths in the package cache.</summary>
    private Dictionary<string, string> DependencyClosure()
    {
        using JsonDocument assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(_root, "Runtime", "obj", "project.assets.json")));
        JsonElement root = assets.RootElement;
        string[] folders = root.GetProperty("packageFolders").EnumerateObject().Select(p => p.Name).ToArray();
        JsonElement libraries = root.GetProperty("libraries");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonElement targets = root.GetProperty("targets");
        JsonElement target = targets.TryGetProperty("netstandard2.1", out JsonElement byAlias) ? byAlias : targets.GetProperty(".NETStandard,Version=v2.1");
        foreach (JsonProperty library in target.EnumerateObject())
        {
            if (!library.Value.TryGetProperty("runtime", out JsonElement runtime)) continue;
            string libraryPath = libraries.GetProperty(library.Name).GetProperty("path").GetString()!;
            foreach (JsonProperty file in runtime.EnumerateObject())
            {
                string name = Path.GetFileName(file.Name);
                if (!name.EndsWith(".dll", StringComparison.Ordinal) || ProvidedByNetStandard21.Contains(Path.GetFileNameWithoutExtension(name))) continue;
                string path = folders.Select(f => Path.Combine(f, libraryPath, file.Name)).First(File.Exists);
                result[name] = path;
            }
        }
        return result;
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
