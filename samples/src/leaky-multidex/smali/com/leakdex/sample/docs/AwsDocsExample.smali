.class public final Lcom/leakdex/sample/docs/AwsDocsExample;
.super Ljava/lang/Object;
.source "AwsDocsExample.java"


# direct methods
.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method public static exampleCredentials()[Ljava/lang/String;
    .registers 4

    const/4 v0, 0x2

    new-array v0, v0, [Ljava/lang/String;

    const/4 v1, 0x0

    const-string v2, "AKIAIOSFODNN7EXAMPLE"

    aput-object v2, v0, v1

    const/4 v1, 0x1

    const-string v2, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

    aput-object v2, v0, v1

    return-object v0
.end method
