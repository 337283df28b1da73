package io.gpudocker.image;

import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.Caller;
import io.gpudocker.api.RunsOn;
import io.gpudocker.api.RunsOn.Where;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/images")
@Tag(name = "images", description = "Images on the host that instances can be created from")
class ImageController {
    private final ImageCatalog catalog;
    private final ImageAccess access;

    ImageController(ImageCatalog catalog, ImageAccess access) {
        this.catalog = catalog;
        this.access = access;
    }

    @GetMapping
    @RunsOn(Where.IMAGES_NODE_IN_QUERY)
    @Operation(summary = "Tagged images on the host: base images, and the images this tenant committed (every one for the admin)")
    ApiResponse<List<ImageViews.ImageSummary>> list(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @Parameter(description = "the node whose images to list (images are per host); default the node that answers", example = "gpu1")
            @RequestParam(required = false) String node) {
        return ApiResponse.ok(catalog.list(caller));
    }

    @PostMapping("/share")
    @RunsOn(Where.IMAGES_NODE_IN_QUERY)
    @Operation(summary = "Admin only: let every tenant create from an image, a tenant's commit included (it may hold that tenant's files)")
    ApiResponse<ImageViews.SharedImage> share(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @Valid @RequestBody ImageViews.ShareRequest body,
            @Parameter(description = "the node whose image it is (images are per host); default the node that answers", example = "gpu1")
            @RequestParam(required = false) String node) {
        return ApiResponse.ok(access.share(body.image(), caller));
    }

    @DeleteMapping("/share")
    @RunsOn(Where.IMAGES_NODE_IN_QUERY)
    @Operation(summary = "Admin only: take a share back; only the committing tenant (and the admin) create from it again")
    ApiResponse<ImageViews.SharedImage> unshare(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @Parameter(description = "the image: name:tag, or id", example = "alice/snap:v1") @RequestParam String image,
            @Parameter(description = "the node whose image it is (images are per host); default the node that answers", example = "gpu1")
            @RequestParam(required = false) String node) {
        return ApiResponse.ok(access.unshare(image, caller));
    }
}
